package io.pgvigil.daemon.cli;

import io.pgvigil.daemon.config.PgvigilConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "check-config", mixinStandardHelpOptions = true,
    description = {
        "Validates a config file without connecting to anything.",
        "Prints every problem at once (one line each: where, what, how to fix), "
            + "or a summary of what would be watched. Secrets are never printed."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:valid", "1:invalid"})
final class CheckConfigCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
      description = "The YAML config file.")
  Path config;

  @Mixin
  Verbosity verbosity;

  @Override
  public Integer call() {
    PgvigilConfig loaded = ConfigFiles.loadForDaemon(config, spec.commandLine().getErr());
    if (loaded == null) {
      return ExitCode.ERROR;
    }
    var out = spec.commandLine().getOut();
    out.println(config + " is valid.");
    loaded.describe().forEach(out::println);
    out.flush();
    return ExitCode.OK;
  }
}

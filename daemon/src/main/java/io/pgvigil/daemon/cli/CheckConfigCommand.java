package io.pgvigil.daemon.cli;

import io.pgvigil.daemon.config.PgvigilConfig;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "check-config", mixinStandardHelpOptions = true,
    description = {
        "Validates a config file without connecting to anything.",
        "Prints every problem at once (one line each: where, what, how to fix), "
            + "or a summary of what would be watched. Secrets are never printed."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:valid", "1:invalid"})
final class CheckConfigCommand implements Callable<Integer> {

  @Mixin
  ConfigFile config;

  @Mixin
  Console console;

  @Override
  public Integer call() {
    PgvigilConfig loaded = config.loadForDaemon(console.err());
    if (loaded == null) {
      return ExitCode.ERROR;
    }
    PrintWriter out = console.out();
    out.println(config.path + " is valid.");
    loaded.describe().forEach(out::println);
    out.flush();
    return ExitCode.OK;
  }
}

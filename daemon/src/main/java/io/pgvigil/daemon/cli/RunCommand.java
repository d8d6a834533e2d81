package io.pgvigil.daemon.cli;

import io.pgvigil.daemon.config.PgvigilConfig;
import io.pgvigil.daemon.drift.ShadowSettings;
import io.pgvigil.daemon.runtime.RunningDaemon;
import io.pgvigil.daemon.runtime.TargetSpecs;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "run", mixinStandardHelpOptions = true,
    description = {
        "Runs the daemon: watches every configured target and serves /healthz, /readyz, "
            + "/metrics and the JSON API until SIGTERM or Ctrl-C.",
        "A target that cannot be reached is reported down and retried with backoff; "
            + "the daemon keeps running."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:clean shutdown (SIGTERM or Ctrl-C)", "1:invalid config or fatal error"})
final class RunCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

  @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
      description = "The YAML config file.")
  Path config;

  @Spec
  CommandSpec spec;

  @Mixin
  Verbosity verbosity;

  @Override
  public Integer call() throws Exception {
    PgvigilConfig loaded = ConfigFiles.loadForDaemon(config, spec.commandLine().getErr());
    if (loaded == null) {
      return ExitCode.ERROR;
    }
    ShutdownSignal signal = new ShutdownSignal();
    try (RunningDaemon daemon = RunningDaemon.start(loaded,
        ShadowSettings.Storage.fromEnvironment(System.getenv()), TargetSpecs.MAX_BACKOFF,
        Clock.systemUTC())) {
      String received = signal.await();
      LOG.info("{} received, shutting down", received);
    }
    LOG.info("stopped");
    return ExitCode.OK;
  }
}

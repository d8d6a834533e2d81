package io.pgvigil.daemon.cli;

import io.pgvigil.daemon.config.PgvigilConfig;
import io.pgvigil.daemon.drift.ShadowSettings;
import io.pgvigil.daemon.runtime.RunningDaemon;
import io.pgvigil.daemon.watch.TargetSpecs;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "run", mixinStandardHelpOptions = true,
    description = {
        "Runs the daemon: watches every configured target and serves /healthz, /readyz, "
            + "/metrics and the JSON API until SIGTERM or Ctrl-C.",
        "A target that cannot be reached is reported down and retried; the daemon keeps running."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:clean shutdown (SIGTERM or Ctrl-C, also while starting)",
        "1:invalid config or fatal error"})
final class RunCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);
  /** How long a stop during startup waits for what was already started to close. */
  private static final long STARTUP_STOP_SECONDS = 15;

  @Mixin
  ConfigFile config;

  @Mixin
  Console console;

  @Override
  public Integer call() throws Exception {
    ShutdownSignal signal = new ShutdownSignal();
    AtomicBoolean daemonStarting = new AtomicBoolean();
    // Startup runs beside the main thread, which waits for it or for a signal, whichever comes
    // first: a SIGTERM while a secret file or the daemon's start hangs stops at once, exit 0.
    CompletableFuture<Optional<RunningDaemon>> starting = new CompletableFuture<>();
    Thread startup = new Thread(() -> {
      try {
        PgvigilConfig loaded = config.loadForDaemon(console.err());
        if (loaded == null || signal.received().isComplete()) {
          starting.complete(Optional.empty());
          return;
        }
        daemonStarting.set(true);
        starting.complete(RunningDaemon.start(loaded,
            ShadowSettings.Storage.fromEnvironment(System.getenv()), TargetSpecs.MAX_BACKOFF,
            Clock.systemUTC(), signal.received()));
      } catch (Throwable e) {
        starting.completeExceptionally(e);
      }
    }, "pgvigil-startup");
    startup.setDaemon(true);
    startup.start();

    CompletableFuture.anyOf(starting, signal.received().toCompletionStage().toCompletableFuture())
        .exceptionally(e -> null).join();
    if (signal.received().isComplete()) {
      LOG.info("{} received while starting, shutting down", signal.received().result());
      stopStartup(starting, daemonStarting.get());
      LOG.info("stopped");
      return ExitCode.OK;
    }
    Optional<RunningDaemon> started = started(starting);
    if (started.isEmpty()) {
      return ExitCode.ERROR; // the config's problems are printed
    }
    try (RunningDaemon daemon = started.get()) {
      String received = signal.received().await();
      LOG.info("{} received, shutting down", received);
    }
    LOG.info("stopped");
    return ExitCode.OK;
  }

  /**
   * The daemon's start sees the signal too and closes what it started; wait for that. While the
   * config is still loading (a hung secret file) there is nothing to close.
   */
  private static void stopStartup(CompletableFuture<Optional<RunningDaemon>> starting, boolean daemonStarting) {
    if (!daemonStarting) {
      return;
    }
    try {
      starting.get(STARTUP_STOP_SECONDS, TimeUnit.SECONDS).ifPresent(RunCommand::close);
    } catch (ExecutionException e) {
      LOG.debug("startup ended with {}", e.getCause().toString());
    } catch (TimeoutException e) {
      LOG.warn("the start did not stop within {} s; exiting anyway", STARTUP_STOP_SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void close(RunningDaemon daemon) {
    try {
      daemon.close();
    } catch (Exception e) {
      LOG.warn("stopping the daemon failed: {}", e.toString());
    }
  }

  private static Optional<RunningDaemon> started(CompletableFuture<Optional<RunningDaemon>> starting) throws Exception {
    try {
      return starting.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }
}

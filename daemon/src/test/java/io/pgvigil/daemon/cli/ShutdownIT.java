package io.pgvigil.daemon.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgvigil.checks.testing.PostgresExtension;
import io.pgvigil.checks.testing.TestPostgres;
import io.pgvigil.daemon.runtime.Http;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** {@code pgvigil run} as a process: it serves, and SIGTERM stops it cleanly with exit code 0. */
@ExtendWith(PostgresExtension.class)
class ShutdownIT {

  private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");

  @TempDir
  Path dir;

  @Test
  void sigtermStopsTheDaemonWithExitCodeZero(TestPostgres pg) throws Exception {
    Path config = Files.writeString(dir.resolve("pgvigil.yaml"), """
        server: { listen: 127.0.0.1:0 }
        targets:
          - { name: app, url: "%s" }
        """.formatted(pg.uri()));

    try (JarProcess pgvigil = JarProcess.start("run", "--config", config.toString())) {
      await().atMost(Duration.ofSeconds(30)).until(() -> pgvigil.find(LISTENING) != null
          || !pgvigil.isAlive());
      assertThat(pgvigil.isAlive()).as("pgvigil runs; output:%n%s", pgvigil.output()).isTrue();
      Http http = new Http(Integer.parseInt(pgvigil.find(LISTENING)));
      await().atMost(Duration.ofSeconds(15))
          // On a loaded machine one request can time out: that is not what this test is about.
          .ignoreExceptionsInstanceOf(UncheckedIOException.class)
          .until(() -> http.get("/readyz").statusCode() == 200);
      assertThat(http.get("/metrics").body()).contains("pgvigil_up{target=\"app\"} 1");

      int exit = pgvigil.terminate(20);

      assertThat(exit).as("exit code; output:%n%s", pgvigil.output()).isEqualTo(0);
      assertThat(pgvigil.output()).contains("SIGTERM received, shutting down").contains("stopped");
    }
  }

  @Test
  void sigtermWhileStartingStopsAtOnceWithExitCodeZero() throws Exception {
    // A startup that hangs, root-proof: the config is a named pipe nobody writes to (a volume that
    // does not answer). Not a secret behind ${file:}: those must be regular files.
    Path config = dir.resolve("pgvigil.yaml");
    assertThat(new ProcessBuilder("mkfifo", config.toString()).start().waitFor()).isZero();

    try (JarProcess pgvigil = JarProcess.start("run", "--config", config.toString())) {
      // Opening the pipe for writing returns once pgvigil has opened it to read: it is starting.
      CompletableFuture<OutputStream> writer = CompletableFuture.supplyAsync(() -> {
        try {
          return Files.newOutputStream(config);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
      await().atMost(Duration.ofSeconds(30)).until(() -> writer.isDone() || !pgvigil.isAlive());
      assertThat(pgvigil.isAlive()).as("pgvigil is starting; output:%n%s", pgvigil.output())
          .isTrue();
      try (OutputStream open = writer.get()) {
        long sent = System.nanoTime();
        int exit = pgvigil.terminate(10);
        long tookMs = (System.nanoTime() - sent) / 1_000_000;

        assertThat(exit).as("exit code; output:%n%s", pgvigil.output()).isEqualTo(0);
        assertThat(tookMs).as("ms from SIGTERM to exit").isLessThan(3_000);
        assertThat(pgvigil.output()).contains("SIGTERM received while starting, shutting down")
            .contains("stopped").doesNotContain("listening on");
        LoggerFactory.getLogger(ShutdownIT.class)
            .info("SIGTERM during a hung startup: exited in {} ms", tookMs);
      }
    }
  }

  @Test
  void anInvalidConfigExitsOneWithEveryProblemAndNoStackTrace() throws Exception {
    Path config = Files.writeString(dir.resolve("bad.yaml"), """
        server: { listen: 127.0.0.1:99999 }
        targets:
          - { name: app, url: "mysql://root@db/app" }
        """);

    try (JarProcess pgvigil = JarProcess.start("run", "--config", config.toString())) {
      await().atMost(Duration.ofSeconds(30)).until(() -> !pgvigil.isAlive());
      int exit = pgvigil.terminate(5);

      assertThat(exit).isEqualTo(1);
      assertThat(pgvigil.output())
          .contains("is not valid (2 problems)")
          .contains("server.listen")
          .contains("targets[0].url")
          .doesNotContain("Exception")
          .doesNotContain("\tat ");
    }
  }
}

package io.pgvigil.daemon.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgvigil.checks.testing.PostgresExtension;
import io.pgvigil.checks.testing.TestPostgres;
import io.pgvigil.daemon.runtime.Http;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

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
      await().atMost(Duration.ofSeconds(15)).until(() -> http.get("/readyz").statusCode() == 200);
      assertThat(http.get("/metrics").body()).contains("pgvigil_up{target=\"app\"} 1");

      int exit = pgvigil.terminate(20);

      assertThat(exit).as("exit code; output:%n%s", pgvigil.output()).isEqualTo(0);
      assertThat(pgvigil.output()).contains("SIGTERM received, shutting down").contains("stopped");
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

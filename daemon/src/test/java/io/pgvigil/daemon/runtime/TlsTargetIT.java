package io.pgvigil.daemon.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgvigil.checks.testing.OwnedTestPostgres;
import io.pgvigil.checks.testing.TestServers;
import io.pgvigil.daemon.testing.TestDaemon;
import io.pgvigil.daemon.tls.TlsServer;
import io.pgvigil.daemon.watch.TargetSpecs;
import io.pgvigil.daemon.watch.TargetStatus;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The daemon watching a TLS-only database: up when the certificate checks out, down with one clear reason when not. */
class TlsTargetIT {

  private static TlsServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TlsServer.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void watchesAVerifiedTargetAndSaysWhyAnUntrustedOneIsDown() throws Exception {
    try (RunningDaemon running = TestDaemon
        .watching("trusted", server.url("localhost", "sslmode=verify-full&sslrootcert=" + server.rootCert()))
        .and("untrusted", server.url("localhost", "sslmode=verify-full&sslrootcert=" + server.otherRootCert()))
        .start()) {
      await().atMost(Duration.ofSeconds(20)).until(() -> status(running, "trusted").up()
          && status(running, "untrusted").checks().get(0).failing());

      assertThat(status(running, "untrusted").up()).isFalse();
      assertThat(status(running, "untrusted").checks().get(0).lastError())
          .isEqualTo("the TLS certificate of localhost is not trusted: no CA of sslrootcert (or, without"
              + " sslrootcert, of the JDK's trust store) signed it");
    }
  }

  @Test
  void aTargetThatFailsTlsBacksOffInsteadOfCostingTheServerABackendEverySecond() throws Exception {
    try (OwnedTestPostgres plain = TestServers.start("plain"); LogCapture logs = new LogCapture()) {
      try (RunningDaemon running = TestDaemon
          .watching("untrusted", server.url("localhost", "sslmode=verify-full&sslrootcert=" + server.otherRootCert()))
          .and("plaintext", plain.uri() + "?sslmode=require").maxBackoff(TargetSpecs.MAX_BACKOFF).start()) {
        await().atMost(Duration.ofSeconds(20)).until(() -> downLine(logs, "untrusted").isPresent()
            && downLine(logs, "plaintext").isPresent());

        // The real client's failures: a bare "SSL handshake failed", and a plain Exception for a server without TLS.
        assertThat(downLine(logs, "untrusted").get()).contains("is not trusted")
            .endsWith("retrying with backoff up to 30s");
        assertThat(downLine(logs, "plaintext").get()).contains("does not accept TLS connections")
            .endsWith("retrying with backoff up to 30s");
      }
    }
  }

  private static Optional<String> downLine(LogCapture logs, String target) {
    return logs.mentioning("target " + target + ": down").stream().map(e -> e.getFormattedMessage()).findFirst();
  }

  private static TargetStatus status(RunningDaemon running, String target) {
    return running.targets().statuses().stream().filter(s -> s.name().equals(target)).findFirst()
        .orElseThrow();
  }
}

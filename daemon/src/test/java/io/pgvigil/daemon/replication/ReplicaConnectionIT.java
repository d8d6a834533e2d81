package io.pgvigil.daemon.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgvigil.checks.testing.ReplicaPair;
import io.pgvigil.checks.testing.ReplicaPairExtension;
import io.pgvigil.checks.testing.Sql;
import io.pgvigil.daemon.runtime.Http;
import io.pgvigil.daemon.runtime.LogCapture;
import io.pgvigil.daemon.runtime.RunningDaemon;
import io.pgvigil.daemon.testing.TestDaemon;
import io.pgvigil.daemon.tls.TlsServer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A configured replica pgvigil cannot poll on its own URL says why, in the
 * replication API ({@code lastError}) and in one log line when it starts
 * failing and one when it answers again: a streaming replica whose URL names
 * a role it does not have yet, and a replica behind TLS whose certificate
 * {@code sslrootcert} does not trust.
 */
@ExtendWith(ReplicaPairExtension.class)
class ReplicaConnectionIT {

  private static final String UNTRUSTED = "the TLS certificate of localhost is not trusted: no CA of sslrootcert"
      + " (or, without sslrootcert, of the JDK's trust store) signed it";

  private static TlsServer tls;

  @BeforeAll
  static void startTlsServer() throws Exception {
    tls = TlsServer.start();
  }

  @AfterAll
  static void stopTlsServer() throws Exception {
    if (tls != null) {
      tls.close();
    }
  }

  @Test
  void aReplicaThatCannotBePolledSaysWhyOnceAndSaysSoWhenItAnswersAgain(ReplicaPair pair) throws Exception {
    var replica = pair.replica();
    String missingRole = "role \"watcher\" does not exist (SQLSTATE 28000)";

    try (LogCapture log = new LogCapture();
        RunningDaemon daemon = TestDaemon.watching(pair.primary())
            .replica(pair.replicaName(), "postgresql://watcher@%s:%d/%s".formatted(replica.host(), replica.port(),
                replica.database()))
            .replica("behind-tls", tls.url("localhost", "sslmode=verify-full&sslrootcert=" + tls.otherRootCert()))
            .watch("interval: 250ms, windowInterval: 250ms, statementTimeout: 200ms").start()) {
      Http http = new Http(daemon.port());
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
        assertThat(replica(http, pair.replicaName()).getString("lastError")).isEqualTo(missingRole);
        assertThat(replica(http, "behind-tls").getString("lastError")).isEqualTo(UNTRUSTED);
      });
      JsonObject failing = replica(http, pair.replicaName());
      assertThat(failing.getBoolean("gone")).as("it streams: only pgvigil's own poll fails").isFalse();
      assertThat(failing.getString("failingSince")).isNotNull();
      assertThat(failing.getValue("inRecovery")).as("its own view is unknown").isNull();

      // Polled every 250 ms for 2 s more: still one line each.
      await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
          .until(() -> missingRole.equals(replica(http, pair.replicaName()).getString("lastError")));
      assertThat(log.mentioning("replica " + pair.replicaName() + " (")).singleElement()
          .satisfies(e -> assertThat(e.getFormattedMessage()).contains("cannot be polled: " + missingRole));
      assertThat(log.mentioning("replica behind-tls (")).singleElement()
          .satisfies(e -> assertThat(e.getFormattedMessage()).contains("cannot be polled: " + UNTRUSTED));

      Sql.execute(pair.primary(), "CREATE ROLE watcher LOGIN IN ROLE pg_monitor");
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
        JsonObject answering = replica(http, pair.replicaName());
        assertThat(answering.getValue("lastError")).isNull();
        assertThat(answering.getValue("failingSince")).isNull();
        assertThat(answering.getBoolean("inRecovery")).isTrue();
      });
      assertThat(log.mentioning("replica " + pair.replicaName() + " (")).hasSize(2).last()
          .satisfies(e -> assertThat(e.getFormattedMessage()).contains("answers again"));
      assertThat(replica(http, "behind-tls").getString("lastError")).isEqualTo(UNTRUSTED);
    }
  }

  private static JsonObject replica(Http http, String name) {
    JsonObject body = new JsonObject(http.get("/api/v1/targets/app/replication").body());
    if (body.getJsonArray("replicas") == null) {
      throw new AssertionError("not polled yet: " + body.encode());
    }
    return body.getJsonArray("replicas").stream().map(JsonObject.class::cast)
        .filter(r -> name.equals(r.getString("name"))).findFirst()
        .orElseThrow(() -> new AssertionError(name + " not in " + body.encode()));
  }
}

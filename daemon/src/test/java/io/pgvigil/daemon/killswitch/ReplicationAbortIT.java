package io.pgvigil.daemon.killswitch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgvigil.checks.testing.ReplicaPair;
import io.pgvigil.checks.testing.ReplicaPairExtension;
import io.pgvigil.checks.testing.Sql;
import io.pgvigil.daemon.runtime.Http;
import io.pgvigil.daemon.runtime.RunningDaemon;
import io.pgvigil.daemon.testing.TestDaemon;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The abort rules beyond locks, with a real streaming replica, inside windows opened through the
 * API (as a CI pipeline would): replication lag in bytes over its abort level runs the hooks; a
 * standby that goes away runs them; and the dead-man switch runs them when the primary itself
 * goes away. A replication verdict shows no lock stall, so nothing is cancelled.
 */
@ExtendWith(ReplicaPairExtension.class)
class ReplicationAbortIT {

  private static final String TOKEN = "replication-abort-token";

  @TempDir
  Path dir;

  @Test
  void lagAGoneStandbyAndLosingTheTargetEachRunTheHooks(ReplicaPair pair) throws Exception {
    var primary = pair.primary();
    var replica = pair.replica();
    Sql.execute(primary, "CREATE TABLE events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, payload text)");
    // The primary learns the replay position from the standby's replies: every second, not ten.
    Sql.execute(replica, "ALTER SYSTEM SET wal_receiver_status_interval = '1s'", "SELECT pg_reload_conf()");
    Path hookLog = dir.resolve("hooks.log");
    Path script = dir.resolve("abort-deploy.sh");
    Files.writeString(script, "#!/bin/sh\n{ env | grep '^PGVIGIL_' | sort; echo ---; } >> '" + hookLog + "'\n");
    script.toFile().setExecutable(true);
    try (RunningDaemon daemon = TestDaemon.watching(primary).server("apiToken: " + TOKEN)
        .replica(pair.replicaName(), replica.uri())
        .watch("interval: 250ms, windowInterval: 250ms, statementTimeout: 200ms")
        .with("""
            rules:
              replicationLag: { warn: 1h }
              replicationLagBytes: { warn: 64kB, abort: 1MB }
              standbyGone: { warn: 1, abort: 1 }
            killSwitch:
              mode: cancel
              hooks: [{ exec: ["%s"] }]
              deadMan: { after: 2s }
            """.formatted(script)).in(dir).start()) {
      Http http = new Http(daemon.port());
      await().atMost(Duration.ofSeconds(20)).until(() -> Http.sample(http.get("/metrics").body(),
          "pgvigil_replication_standby_up{configured=\"true\",kind=\"physical\",replica=\"" + pair.replicaName()
              + "\",target=\"app\"}") == 1.0);

      String lagWindow = openWindow(http, "lag");
      try (Connection r = replica.connect();
          Statement rs = r.createStatement();
          Connection p = primary.connect();
          Statement ps = p.createStatement()) {
        rs.execute("SELECT pg_wal_replay_pause()");
        ps.execute("INSERT INTO events (payload) SELECT repeat('x', 200) FROM generate_series(1, 20000)");
        JsonObject hook = awaitDecision(http, "replicationLagBytes", "hook");
        assertThat(hook.getString("result")).isEqualTo("ok");
        assertThat(hook.getString("windowId")).isEqualTo(lagWindow);
        assertThat(hook.getValue("pid")).isNull();
        rs.execute("SELECT pg_wal_replay_resume()");
      }
      // Caught up again before the next window, so the lag rule cannot act on that one.
      await().atMost(Duration.ofSeconds(30)).until(() -> Http.sample(http.get("/metrics").body(),
          "pgvigil_replication_lag_bytes{configured=\"true\",kind=\"physical\",replica=\"" + pair.replicaName()
              + "\",target=\"app\"}") < 64 * 1024);
      assertThat(Files.readString(hookLog)).contains("PGVIGIL_RULE=replicationLagBytes",
          "PGVIGIL_WINDOW_ID=" + lagWindow);
      assertThat(decisions(http)).noneMatch(d -> d.getString("action").equals("cancel"));

      // Each window is acted on once: the next condition needs a window of its own.
      close(http, lagWindow);
      String goneWindow = openWindow(http, "standby");
      replica.stop();
      try {
        JsonObject gone = awaitDecision(http, "standbyGone", "hook");
        assertThat(gone.getString("windowId")).isEqualTo(goneWindow);
        assertThat(Files.readString(hookLog)).contains("PGVIGIL_RULE=standbyGone");
      } finally {
        replica.start();
      }

      close(http, goneWindow);
      String blindWindow = openWindow(http, "blind");
      primary.stop();
      try {
        JsonObject deadMan = awaitDecision(http, DeadManSwitch.RULE, "hook");
        assertThat(deadMan.getString("windowId")).isEqualTo(blindWindow);
        assertThat(deadMan.getString("result")).isEqualTo("ok");
        assertThat(Files.readString(hookLog)).contains("PGVIGIL_RULE=deadMan", "PGVIGIL_WINDOW_ID=" + blindWindow);
      } finally {
        primary.start();
      }
    }
  }

  private static String openWindow(Http http, String label) {
    var response = http.post("/api/v1/windows", TOKEN,
        "{\"target\":\"app\",\"ttl\":\"10m\",\"label\":\"" + label + "\"}");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    return new JsonObject(response.body()).getString("id");
  }

  private static void close(Http http, String id) throws Exception {
    var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(
        "http://127.0.0.1:" + http.port() + "/api/v1/windows/" + id))
        .header("Authorization", "Bearer " + TOKEN).DELETE().build();
    var response = java.net.http.HttpClient.newHttpClient().send(request,
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
  }

  private static List<JsonObject> decisions(Http http) {
    return new JsonObject(http.get("/api/v1/aborts").body()).getJsonArray("aborts").stream()
        .map(JsonObject.class::cast).toList();
  }

  private static JsonObject awaitDecision(Http http, String rule, String action) {
    return await().atMost(Duration.ofSeconds(30)).until(() -> decisions(http).stream()
        .filter(d -> d.getString("rule").equals(rule) && d.getString("action").equals(action))
        .findFirst(), java.util.Optional::isPresent).orElseThrow();
  }
}

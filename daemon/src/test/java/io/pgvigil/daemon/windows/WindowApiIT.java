package io.pgvigil.daemon.windows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.spi.ILoggingEvent;
import io.pgvigil.checks.testing.PostgresExtension;
import io.pgvigil.checks.testing.TestPostgres;
import io.pgvigil.daemon.runtime.Http;
import io.pgvigil.daemon.runtime.LogCapture;
import io.pgvigil.daemon.runtime.RunningDaemon;
import io.pgvigil.daemon.testing.CliRun;
import io.pgvigil.daemon.testing.TestDaemon;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Migration windows through the API and the {@code window} command, with TTL expiry. */
@ExtendWith(PostgresExtension.class)
class WindowApiIT {

  private static final String TOKEN = "window-token";

  @TempDir
  Path dir;

  @Test
  void windowsOpenCloseExpireAndShowInMetrics(TestPostgres pg) throws Exception {
    try (RunningDaemon daemon = start(pg)) {
      String base = "http://127.0.0.1:" + daemon.port();
      Http http = new Http(daemon.port());

      assertThat(post(base, "{\"target\":\"app\"}", null).statusCode()).isEqualTo(401);
      assertThat(error(post(base, "{\"target\":\"nope\"}", TOKEN))).contains("no target named 'nope'");
      assertThat(error(post(base, "{\"target\":\"app\",\"ttl\":\"soon\"}", TOKEN))).contains("'ttl'");
      assertThat(error(post(base, "{\"target\":\"app\",\"colour\":\"red\"}", TOKEN)))
          .contains("unknown field 'colour'");
      assertThat(error(post(base, "not json", TOKEN))).contains("JSON");

      // Through the CLI, as a pipeline would.
      Path tokenFile = Files.writeString(dir.resolve("token"), TOKEN + "\n");
      StringWriter out = new StringWriter();
      int exit = CliRun.execute(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true),
          "window", "open", "--url", base, "--token-file", tokenFile.toString(), "--target", "app",
          "--ttl", "10m", "--label", "deploy 42");
      assertThat(exit).isEqualTo(0);
      String id = out.toString().trim();
      assertThat(Http.sample(http.get("/metrics").body(), "pgvigil_migration_window_active{target=\"app\"}"))
          .isEqualTo(1.0);
      JsonObject listed = new JsonObject(http.get("/api/v1/windows").body()).getJsonArray("windows").getJsonObject(0);
      assertThat(listed.getString("id")).isEqualTo(id);
      assertThat(listed.getString("label")).isEqualTo("deploy 42");
      assertThat(listed.getBoolean("open")).isTrue();

      StringWriter closed = new StringWriter();
      assertThat(CliRun.execute(new PrintWriter(closed, true), new PrintWriter(new StringWriter(), true),
          "window", "close", "--url", base, "--token-file", tokenFile.toString(), id)).isEqualTo(0);
      assertThat(closed.toString()).contains("closed " + id);
      assertThat(Http.sample(http.get("/metrics").body(), "pgvigil_migration_window_active{target=\"app\"}"))
          .isEqualTo(0.0);
      StringWriter err = new StringWriter();
      assertThat(CliRun.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true),
          "window", "close", "--url", base, "--token-file", tokenFile.toString(), id)).isEqualTo(1);
      assertThat(err.toString()).contains("no open window");

      // A window closes on its TTL by itself.
      String shortLived = new JsonObject(post(base, "{\"target\":\"app\",\"ttl\":\"1s\"}", TOKEN).body())
          .getString("id");
      await().atMost(Duration.ofSeconds(10)).until(() -> new JsonObject(http.get("/api/v1/windows").body())
          .getJsonArray("windows").stream().map(JsonObject.class::cast)
          .anyMatch(w -> w.getString("id").equals(shortLived) && "expired".equals(w.getString("closeReason"))));
    }
  }

  @Test
  void rejectsWindowRequestsWhoseFieldsOrContentTypeAreNotWhatTheApiExpects(TestPostgres pg) throws Exception {
    try (RunningDaemon daemon = start(pg)) {
      String base = "http://127.0.0.1:" + daemon.port();

      HttpResponse<String> numericTtl = post(base, "{\"target\":\"app\",\"ttl\":5}", TOKEN);
      assertThat(numericTtl.statusCode()).isEqualTo(400);
      assertThat(error(numericTtl)).isEqualTo("'ttl' must be a string such as \"30m\", not the number 5");
      HttpResponse<String> numericLabel = post(base, "{\"target\":\"app\",\"label\":42}", TOKEN);
      assertThat(numericLabel.statusCode()).isEqualTo(400);
      assertThat(error(numericLabel)).isEqualTo("'label' must be a string such as \"deploy 42\", not the number 42");
      assertThat(error(post(base, "{\"target\":[\"app\"],\"profile\":true}", TOKEN))).isEqualTo(
          "'target' must be a string such as \"app\", not a list; "
              + "'profile' must be a string such as \"in-window\", not the boolean true");
      assertThat(error(post(base, "{\"target\":\"app\",\"label\":\"" + "x".repeat(201) + "\"}", TOKEN)))
          .contains("'label' must be at most 200 characters");

      HttpResponse<String> text = post(base, "{\"target\":\"app\"}", TOKEN, "text/plain");
      assertThat(text.statusCode()).isEqualTo(415);
      assertThat(error(text)).contains("Content-Type: application/json").contains("'text/plain'");
      assertThat(post(base, "{\"target\":\"app\"}", TOKEN, null).statusCode()).isEqualTo(415);
      assertThat(new JsonObject(new Http(daemon.port()).get("/api/v1/windows").body()).getJsonArray("windows"))
          .as("no rejected request opened a window").isEmpty();

      // RFC 7235: the auth scheme is case-insensitive; a charset on the media type is fine.
      HttpResponse<String> lowerCase = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create(base + "/api/v1/windows")).timeout(Duration.ofSeconds(5))
          .POST(HttpRequest.BodyPublishers.ofString("{\"target\":\"app\",\"ttl\":\"5m\"}"))
          .header("Content-Type", "Application/JSON; charset=utf-8")
          .header("Authorization", "bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(lowerCase.statusCode()).isEqualTo(201);
      assertThat(new JsonObject(lowerCase.body()).getString("expiresAt")).isNotNull();
    }
  }

  @Test
  void explicitNullFieldsMeanTheDefaultsAsIfAbsent(TestPostgres pg) throws Exception {
    try (RunningDaemon daemon = start(pg)) {
      String base = "http://127.0.0.1:" + daemon.port();

      HttpResponse<String> opened = post(base,
          "{\"target\":\"app\",\"ttl\":null,\"label\":null,\"profile\":null}", TOKEN);
      assertThat(opened.statusCode()).as(opened.body()).isEqualTo(201);
      JsonObject window = new JsonObject(opened.body());
      assertThat(window.getString("profile")).isEqualTo("in-window");
      assertThat(window.getString("label")).isEmpty();
      assertThat(Duration.between(Instant.parse(window.getString("openedAt")),
          Instant.parse(window.getString("expiresAt")))).isEqualTo(Duration.ofMinutes(30));

      HttpResponse<String> noTarget = post(base, "{\"target\":null}", TOKEN);
      assertThat(noTarget.statusCode()).isEqualTo(400);
      assertThat(error(noTarget)).contains("'target' is required");
    }
  }

  @Test
  void aLabelWithALineBreakCannotForgeALogLine(TestPostgres pg) throws Exception {
    try (RunningDaemon daemon = start(pg); LogCapture logs = new LogCapture()) {
      String forged = "deploy 42\n2026-12-01T00:00:00.000Z WARN  AbortLog - abort target=app forged\r\u001b[2K";
      HttpResponse<String> opened = post("http://127.0.0.1:" + daemon.port(),
          new JsonObject().put("target", "app").put("label", forged).encode(), TOKEN);
      assertThat(opened.statusCode()).isEqualTo(201);
      assertThat(new JsonObject(opened.body()).getString("label")).as("the API keeps the label as given")
          .isEqualTo(forged);

      List<ILoggingEvent> lines = logs.mentioning("forged");
      assertThat(lines).hasSize(1);
      assertThat(lines.get(0).getFormattedMessage())
          .doesNotContain("\n", "\r", "\u001b")
          .contains("deploy 42\\n2026-12-01T00:00:00.000Z WARN  AbortLog - abort target=app forged\\r\\u001b[2K");
    }
  }

  private RunningDaemon start(TestPostgres pg) throws Exception {
    return TestDaemon.watching(pg).server("apiToken: " + TOKEN).in(dir).start();
  }

  private static HttpResponse<String> post(String base, String body, String token) throws Exception {
    return post(base, body, token, "application/json");
  }

  private static HttpResponse<String> post(String base, String body, String token, String contentType)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/api/v1/windows"))
        .timeout(Duration.ofSeconds(5)).POST(HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String error(HttpResponse<String> response) {
    assertThat(response.statusCode()).isBetween(400, 499);
    return new JsonObject(response.body()).getString("error");
  }

  @Test
  void aWindowThatOpensBringsAnImmediateLockPoll(TestPostgres pg) throws Exception {
    // Outside windows the lock watch polls every 30 s; a window must not wait for that.
    try (RunningDaemon daemon = TestDaemon.watching(pg).server("apiToken: " + TOKEN)
        .watch("interval: 30s, windowInterval: 250ms").in(dir).start()) {
      Http http = new Http(daemon.port());
      await().atMost(Duration.ofSeconds(20)).until(() -> lockRuns(http) >= 1);
      long before = lockRuns(http);
      assertThat(post("http://127.0.0.1:" + daemon.port(),
          "{\"target\":\"app\",\"ttl\":\"5m\"}", TOKEN).statusCode()).isEqualTo(201);
      await().atMost(Duration.ofSeconds(5)).until(() -> lockRuns(http) >= before + 3);
    }
  }

  private static long lockRuns(Http http) {
    return new JsonObject(http.get("/api/v1/targets/app").body()).getJsonArray("checks").stream()
        .map(JsonObject.class::cast).filter(c -> "locks".equals(c.getString("name")))
        .mapToLong(c -> c.getLong("runs")).findFirst().orElse(0);
  }
}

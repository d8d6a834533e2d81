package io.pgvigil.daemon.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgvigil.checks.testing.PostgresExtension;
import io.pgvigil.checks.testing.TestPostgres;
import io.pgvigil.daemon.config.PgvigilConfig;
import io.pgvigil.daemon.drift.ShadowSettings;
import io.pgvigil.daemon.runtime.Http;
import io.pgvigil.daemon.runtime.RunningDaemon;
import io.pgvigil.daemon.runtime.TestStorage;
import io.pgvigil.daemon.testing.CliRun;
import io.pgvigil.daemon.testing.TestDaemon;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Silences through the API and the {@code silence} command: validation, the round trip, a restart. */
@ExtendWith(PostgresExtension.class)
class SilenceApiIT {

  private static final String TOKEN = "silence-token";

  @TempDir
  Path dir;

  @Test
  void rejectsSilencesWhoseFieldsAreNotWhatTheApiExpectsOneMessagePerField(TestPostgres pg)
      throws Exception {
    try (RunningDaemon daemon =
        TestDaemon.watching(pg).server("apiToken: " + TOKEN).in(dir).start()) {
      String base = "http://127.0.0.1:" + daemon.port();
      String ok = "\"matchers\":{\"target\":\"app\"},\"ttl\":\"2h\",\"comment\":\"deploy 42\"";

      assertThat(post(base, "{" + ok + "}", null, "application/json").statusCode()).isEqualTo(401);
      assertThat(post(base, "{" + ok + "}", TOKEN, "text/plain").statusCode()).isEqualTo(415);
      assertThat(error(post(base, "not json"))).contains("must be a JSON object");
      assertThat(error(post(base, "{" + ok + ",\"colour\":\"red\"}")))
          .isEqualTo(
              "unknown field 'colour'; fields are matchers, ttl, endsAt, comment, createdBy");
      assertThat(error(post(base, "{\"ttl\":\"2h\",\"comment\":\"x\"}")))
          .startsWith("'matchers' is required");
      assertThat(error(post(base, "{\"matchers\":{},\"ttl\":\"2h\",\"comment\":\"x\"}")))
          .startsWith("'matchers' needs at least one of target, rule, object");
      assertThat(
          error(post(base, "{\"matchers\":{\"target\":null},\"ttl\":\"2h\",\"comment\":\"x\"}")))
          .startsWith("'matchers' needs at least one");
      assertThat(error(post(base, "{\"matchers\":{\"rule\":5,\"table\":\"t\",\"object\":\"\"},"
          + "\"ttl\":\"2h\",\"comment\":\"x\"}")))
          .isEqualTo("unknown matcher 'table'; matchers are target, rule, "
              + "object; 'matchers.rule' must be a string such as \"lockWait\", not the number 5; "
              + "'matchers.object' must not be empty (leave it out to match any object)");
      assertThat(error(post(base, "{\"matchers\":[\"app\"],\"ttl\":2,\"createdBy\":true}")))
          .isEqualTo(
              "'matchers' must be an object such as {\"target\": \"app\", \"rule\": \"lockWait\"}, not a list; "
                  + "'ttl' must be a string such as \"2h\", not the number 2; "
                  + "'createdBy' must be a string such as \"alice\", not the boolean true; "
                  + "'comment' is required: why the alerts are silenced, such as \"deploy 42 rebuilds orders\"");
      assertThat(error(
          post(base, "{\"matchers\":{\"target\":\"app\"},\"ttl\":\"2h\",\"comment\":\"  \"}")))
          .startsWith("'comment' is required");
      assertThat(error(post(base, "{" + ok + ",\"endsAt\":\"2030-01-01T00:00:00Z\"}")))
          .isEqualTo("give 'ttl' or 'endsAt', not both");
      assertThat(error(post(base, "{\"matchers\":{\"target\":\"app\"},\"comment\":\"x\"}")))
          .startsWith("'ttl' (such as \"2h\") or 'endsAt'");
      assertThat(error(
          post(base, "{\"matchers\":{\"target\":\"app\"},\"ttl\":\"31d\",\"comment\":\"x\"}")))
          .isEqualTo("'ttl' must be more than 0 and at most 30d, not 31d");
      assertThat(error(
          post(base, "{\"matchers\":{\"target\":\"app\"},\"ttl\":\"soon\",\"comment\":\"x\"}")))
          .startsWith("'ttl' must be a duration such as 2h");
      assertThat(error(post(base,
          "{\"matchers\":{\"target\":\"app\"},\"endsAt\":\"tomorrow\",\"comment\":\"x\"}")))
          .startsWith("'endsAt' must be an ISO-8601 time");
      assertThat(
          error(post(base, "{\"matchers\":{\"target\":\"app\"},\"endsAt\":\"2020-01-01T00:00:00Z\","
              + "\"comment\":\"x\"}")))
          .startsWith("'endsAt' must be in the future");
      assertThat(error(post(base, "{\"matchers\":{\"target\":\"app\"},\"endsAt\":\""
          + Instant.now().plus(Duration.ofDays(40)) + "\",\"comment\":\"x\"}")))
          .isEqualTo("'endsAt' must be at most 30 days ahead");
      HttpResponse<String> unknown =
          post(base, "{\"matchers\":{\"target\":\"nope\"},\"ttl\":\"2h\",\"comment\":\"x\"}");
      assertThat(unknown.statusCode()).isEqualTo(404);
      assertThat(error(unknown)).isEqualTo("no target named 'nope'");
      Http http = new Http(daemon.port());
      assertThat(new JsonObject(http.get("/api/v1/silences").body()).getJsonArray("silences"))
          .as("no rejected request added a silence").isEmpty();

      // A pattern is not a name: it may match no configured target yet. An offset is fine in endsAt.
      HttpResponse<String> pattern = post(base,
          "{\"matchers\":{\"target\":\"ap*\",\"rule\":\"lock*\"},"
              + "\"endsAt\":\""
              + Instant.now().plus(Duration.ofHours(1)).atOffset(java.time.ZoneOffset.ofHours(2))
              + "\",\"comment\":\"x\"}");
      assertThat(pattern.statusCode()).as(pattern.body()).isEqualTo(201);
      assertThat(shape(new JsonObject(http.get("/api/v1/silences").body()))).isEqualTo(
          "{silences:[{id:s,matchers:{target:s,rule:s,object:null},active:b,startsAt:s,endsAt:s,comment:s,"
              + "createdBy:null}]}");
      assertThat(delete(base, "no-such-id").statusCode()).isEqualTo(404);
    }
  }

  @Test
  void silencesMakeTheRoundTripThroughTheCliAndSurviveARestart(TestPostgres pg) throws Exception {
    PgvigilConfig config = TestDaemon.watching(pg).server("apiToken: " + TOKEN).in(dir).config();
    ShadowSettings.Storage storage = TestStorage.storage();
    Path tokenFile = Files.writeString(dir.resolve("token"), TOKEN + "\n");
    String id;
    String kept;
    try (RunningDaemon daemon =
        RunningDaemon.start(config, storage, Duration.ofSeconds(1), Clock.systemUTC())) {
      String url = "http://127.0.0.1:" + daemon.port();
      CliRun added =
          CliRun.run("silence", "add", "--url", url, "--token-file", tokenFile.toString(),
              "--target", "app", "--rule", "lockWait", "--ttl", "2h", "--comment", "deploy 42",
              "--created-by", "alice");
      assertThat(added.exit()).as(added.err()).isZero();
      id = added.out().trim();
      CliRun other =
          CliRun.run("silence", "add", "--url", url, "--token-file", tokenFile.toString(),
              "--rule", "replicationLag", "--object", "replica-*", "--ends-at",
              Instant.now().plus(Duration.ofHours(3)).toString(), "--comment",
              "rebuilding the replicas");
      assertThat(other.exit()).as(other.err()).isZero();
      kept = other.out().trim();

      CliRun listed =
          CliRun.run("silence", "list", "--url", url, "--token-file", tokenFile.toString());
      assertThat(listed.exit()).isZero();
      assertThat(listed.out().lines().toList()).hasSize(3);
      assertThat(listed.out()).contains(id, "lockWait", "alice", "deploy 42", kept, "replica-*",
          "(any)");

      CliRun expired =
          CliRun.run("silence", "expire", "--url", url, "--token-file", tokenFile.toString(), id);
      assertThat(expired.exit()).as(expired.err()).isZero();
      assertThat(expired.out()).contains("expired " + id);
      CliRun again =
          CliRun.run("silence", "expire", "--url", url, "--token-file", tokenFile.toString(), id);
      assertThat(again.exit()).isEqualTo(1);
      assertThat(again.err()).contains("no active silence with id '" + id + "'");
      CliRun noToken = CliRun.run("silence", "expire", "--url", url, kept);
      assertThat(noToken.exit()).isEqualTo(1);
    }
    assertThat(storage.state().resolve("silences.json")).exists();
    try (RunningDaemon daemon =
        RunningDaemon.start(config, storage, Duration.ofSeconds(1), Clock.systemUTC())) {
      CliRun listed =
          CliRun.run("silence", "list", "--url", "http://127.0.0.1:" + daemon.port(), "--format",
              "json");
      assertThat(listed.exit()).as(listed.err()).isZero();
      JsonArray silences = new JsonObject(listed.out()).getJsonArray("silences");
      assertThat(silences).hasSize(2);
      // The active one first, then the one that ended.
      assertThat(silences.getJsonObject(0).getString("id")).isEqualTo(kept);
      assertThat(silences.getJsonObject(0).getBoolean("active")).isTrue();
      assertThat(silences.getJsonObject(0).getString("createdBy"))
          .isEqualTo(System.getProperty("user.name"));
      assertThat(silences.getJsonObject(1).getString("id")).isEqualTo(id);
      assertThat(silences.getJsonObject(1).getBoolean("active")).isFalse();
      assertThat(silences.getJsonObject(1).getJsonObject("matchers").getString("rule"))
          .isEqualTo("lockWait");
    }
  }

  private static HttpResponse<String> post(String base, String body) throws Exception {
    return post(base, body, TOKEN, "application/json");
  }

  private static HttpResponse<String> post(String base, String body, String token,
      String contentType)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/api/v1/silences"))
        .timeout(Duration.ofSeconds(5)).POST(HttpRequest.BodyPublishers.ofString(body))
        .header("Content-Type", contentType);
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> delete(String base, String id) throws Exception {
    return HttpClient.newHttpClient()
        .send(HttpRequest.newBuilder(URI.create(base + "/api/v1/silences/" + id))
            .timeout(Duration.ofSeconds(5)).DELETE().header("Authorization", "Bearer " + TOKEN)
            .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  private static String error(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isBetween(400, 499);
    return new JsonObject(response.body()).getString("error");
  }

  private static String shape(Object value) {
    if (value instanceof JsonObject o) {
      return o.fieldNames().stream().map(k -> k + ":" + shape(o.getValue(k)))
          .collect(java.util.stream.Collectors.joining(",", "{", "}"));
    }
    if (value instanceof JsonArray a) {
      return a.isEmpty() ? "[]" : "[" + shape(a.getValue(0)) + "]";
    }
    return value == null ? "null" : value instanceof String ? "s" : value instanceof Boolean ? "b"
        : value instanceof Double ? "d" : "i";
  }
}

package io.pgvigil.daemon.http;

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
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Who may read the API, and what a malformed request costs the log. */
@ExtendWith(PostgresExtension.class)
class ApiAccessIT {

  private static final String API_TOKEN = "api-token-1f2e";
  private static final String READ_TOKEN = "read-token-9c8d";

  @TempDir
  Path dir;

  @Test
  void withAReadTokenTheReadApiWantsTheReadOrTheApiTokenAndTheProbesStayOpen(TestPostgres pg) throws Exception {
    try (RunningDaemon daemon = TestDaemon.watching(pg)
        .server("apiToken: " + API_TOKEN + ", readToken: \"${env:READ}\"").env("READ", READ_TOKEN).in(dir).start()) {
      Http http = new Http(daemon.port());

      for (String path : List.of("/api/v1/targets", "/api/v1/targets/app/locks", "/api/v1/windows",
          "/api/v1/alerts", "/api/v1/silences", "/api/v1/nothing")) {
        Http.RawResponse anonymous = http.raw("GET " + path + " HTTP/1.1", null);
        assertThat(anonymous.statusCode()).as(path).isEqualTo(401);
        assertThat(new JsonObject(anonymous.body()).getString("error"))
            .contains("server.readToken or server.apiToken").doesNotContain(READ_TOKEN, API_TOKEN);
        assertThat(get(http, path, "Bearer wrong-token").statusCode()).as(path).isEqualTo(401);
      }
      assertThat(get(http, "/api/v1/targets", "Basic " + READ_TOKEN).statusCode()).isEqualTo(401);
      assertThat(get(http, "/api/v1/targets", "Bearer " + READ_TOKEN).statusCode()).isEqualTo(200);
      assertThat(get(http, "/api/v1/targets/app/locks", "Bearer " + API_TOKEN).statusCode()).isEqualTo(200);
      Http.RawResponse lowerCase = get(http, "/api/v1/targets", "bearer  " + READ_TOKEN);
      assertThat(lowerCase.statusCode()).isEqualTo(200);
      assertThat(new JsonObject(lowerCase.body()).getJsonArray("targets")).hasSize(1);

      assertThat(http.get("/healthz").statusCode()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(20))
          // On a loaded machine one request can time out: that is not what this test is about.
          .ignoreExceptionsInstanceOf(UncheckedIOException.class)
          .until(() -> http.get("/readyz").statusCode() == 200);
      assertThat(http.get("/metrics").body()).contains("pgvigil_up{target=\"app\"}");

      // The read token reads; it does not open windows.
      assertThat(http.post("/api/v1/windows", READ_TOKEN, "{\"target\":\"app\"}").statusCode()).isEqualTo(401);
      assertThat(http.post("/api/v1/windows", API_TOKEN, "{\"target\":\"app\"}").statusCode()).isEqualTo(201);

      // `pgvigil window list` sends its token, so it works behind a read token.
      Path tokenFile = Files.writeString(dir.resolve("read-token"), READ_TOKEN + "\n");
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      assertThat(CliRun.execute(new PrintWriter(out, true), new PrintWriter(err, true),
          "window", "list", "--url", "http://127.0.0.1:" + daemon.port(), "--token-file", tokenFile.toString()))
          .as(err.toString()).isEqualTo(0);
      assertThat(out.toString()).contains("app");
    }
  }

  @Test
  void aMalformedRequestTargetIsAJson400LoggedOnOneLineWithoutAStackTrace(TestPostgres pg) throws Exception {
    try (RunningDaemon daemon = TestDaemon.watching(pg).in(dir).start(); LogCapture logs = new LogCapture()) {
      Http http = new Http(daemon.port());

      Http.RawResponse badQuery = http.raw("GET /api/v1/targets?name=%zz&next=% HTTP/1.1", null);
      Http.RawResponse badPath = http.raw("GET /api/v1/targets/app%zz/locks HTTP/1.1", null);

      for (Http.RawResponse response : List.of(badQuery, badPath)) {
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(response.body()).getString("error")).startsWith("malformed request target");
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> logs.mentioning("%zz").size() >= 2);
      List<ILoggingEvent> lines = logs.mentioning("%zz");
      assertThat(lines).hasSize(2);
      assertThat(lines).allSatisfy(line -> {
        assertThat(line.getThrowableProxy()).as("no stack trace").isNull();
        assertThat(line.getFormattedMessage()).doesNotContain("\n");
      });
      assertThat(lines.get(0).getFormattedMessage()).contains("/api/v1/targets?name=%zz&next=%");
      assertThat(http.get("/api/v1/targets?name=app%20db").statusCode()).as("a well-formed query").isEqualTo(200);
    }
  }

  private static Http.RawResponse get(Http http, String path, String authorization) {
    return http.raw("GET " + path + " HTTP/1.1\r\nAuthorization: " + authorization, null);
  }
}

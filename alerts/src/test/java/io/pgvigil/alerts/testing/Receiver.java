package io.pgvigil.alerts.testing;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A real HTTP server on 127.0.0.1 that answers the way a service does, recording every request
 * with the simulated time it arrived.
 */
public final class Receiver implements AutoCloseable {

  public record Request(String method, String path, Map<String, String> headers, Buffer body,
      Instant at, int answered) {

    public JsonObject json() {
      return body.toJsonObject();
    }

    public JsonArray jsonArray() {
      return body.toJsonArray();
    }

    public String header(String name) {
      return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
          .map(Map.Entry::getValue).findFirst().orElse(null);
    }
  }

  /** status -1 means: never answer (a hang). */
  public record Answer(int status, Map<String, String> headers, String body) {

    public static Answer of(int status, String body) {
      return new Answer(status, Map.of("Content-Type", "application/json"), body);
    }

    public static Answer hang() {
      return new Answer(-1, Map.of(), "");
    }
  }

  private final HttpServer server;
  private final Clock clock;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private volatile Function<Request, Answer> answer;

  private Receiver(HttpServer server, Clock clock) {
    this.server = server;
    this.clock = clock;
  }

  public static Receiver start(Vertx vertx, Clock clock, Function<Request, Answer> answer)
      throws Exception {
    HttpServer server = vertx.createHttpServer();
    Receiver r = new Receiver(server, clock);
    r.answer = answer;
    server.requestHandler(req -> req.body().onSuccess(body -> {
      Map<String, String> headers = new java.util.LinkedHashMap<>();
      req.headers().forEach(e -> headers.put(e.getKey(), e.getValue()));
      Request probe = new Request(req.method().name(), req.path(), headers, body,
          clock.instant(), 0);
      Answer a = r.answer.apply(probe);
      r.requests.add(new Request(probe.method(), probe.path(), headers, body, probe.at(),
          a.status()));
      if (a.status() < 0) {
        return;
      }
      var response = req.response().setStatusCode(a.status());
      a.headers().forEach(response::putHeader);
      response.end(a.body());
    }));
    server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    return r;
  }

  public String url() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  public void answer(Function<Request, Answer> answer) {
    this.answer = answer;
  }

  public List<Request> requests() {
    return List.copyOf(requests);
  }

  /** Requests the receiver accepted (2xx). */
  public List<Request> accepted() {
    return requests.stream().filter(r -> r.answered() >= 200 && r.answered() < 300).toList();
  }

  public int count() {
    return requests.size();
  }

  @Override
  public void close() throws Exception {
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}

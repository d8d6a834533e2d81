package io.pgvigil.alerts.testing;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A real HTTP server on 127.0.0.1 standing in for Slack, PagerDuty, Alertmanager or a webhook: it answers
 * the way it is told to and records every request with the (possibly simulated) time it arrived.
 * {@link #down()} stops listening; {@link #up()} listens again on the same port.
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

    /** A JSON answer as Slack and PagerDuty give (they answer 200 and 202). */
    public static Answer of(int status) {
      return of(status, status < 300 ? "{\"status\":\"success\"}" : "{\"error\":\"test\"}");
    }

    public static Answer hang() {
      return new Answer(-1, Map.of(), "");
    }
  }

  private final Vertx vertx;
  private final Clock clock;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private volatile Function<Request, Answer> answer;
  private HttpServer server;
  private int port;

  private Receiver(Vertx vertx, Clock clock, Function<Request, Answer> answer) {
    this.vertx = vertx;
    this.clock = clock;
    this.answer = answer;
  }

  /** Starts on an ephemeral port of 127.0.0.1. */
  public static Receiver start(Vertx vertx, Clock clock, Function<Request, Answer> answer) throws Exception {
    Receiver receiver = new Receiver(vertx, clock, answer);
    receiver.listen(0);
    return receiver;
  }

  /** Starts on an ephemeral port of 127.0.0.1, answering {@code status} to every request. */
  public static Receiver start(Vertx vertx, int status) throws Exception {
    return start(vertx, Clock.systemUTC(), request -> Answer.of(status));
  }

  private void listen(int onPort) throws Exception {
    server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      Map<String, String> headers = new LinkedHashMap<>();
      req.headers().forEach(e -> headers.put(e.getKey(), e.getValue()));
      Request request = new Request(req.method().name(), req.path(), headers, body, clock.instant(), 0);
      Answer a = answer.apply(request);
      requests.add(new Request(request.method(), request.path(), headers, body, request.at(), a.status()));
      if (a.status() < 0) {
        return;
      }
      HttpServerResponse response = req.response().setStatusCode(a.status());
      a.headers().forEach(response::putHeader);
      response.end(a.body());
    }));
    port = server.listen(onPort, "127.0.0.1").toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS).actualPort();
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  public void answer(Function<Request, Answer> answer) {
    this.answer = answer;
  }

  public void answer(int status) {
    answer(request -> Answer.of(status));
  }

  /** Stops listening: connections are refused, as when the service is unreachable. */
  public void down() throws Exception {
    close();
  }

  /** Listens again, on the same port. */
  public void up() throws Exception {
    listen(port);
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

package io.pgvigil.daemon.alerting;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A real HTTP server on 127.0.0.1 standing in for Slack, PagerDuty or a webhook: it answers
 * with the status it is told to (Slack and PagerDuty answer 200 and 202) and records every
 * request. {@link #down()} stops listening; {@link #up()} listens again on the same port.
 */
public final class Receiver implements AutoCloseable {

  public record Request(String path, Map<String, String> headers, Buffer body, int answered) {

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

    public boolean accepted() {
      return answered >= 200 && answered < 300;
    }
  }

  private final Vertx vertx;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private volatile Function<Request, Integer> status;
  private HttpServer server;
  private int port;

  private Receiver(Vertx vertx, Function<Request, Integer> status) {
    this.vertx = vertx;
    this.status = status;
  }

  /** Starts on an ephemeral port of 127.0.0.1, answering {@code status} to every request. */
  public static Receiver start(Vertx vertx, int status) throws Exception {
    Receiver r = new Receiver(vertx, req -> status);
    r.listen(0);
    return r;
  }

  private void listen(int onPort) throws Exception {
    server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      Map<String, String> headers = new LinkedHashMap<>();
      req.headers().forEach(e -> headers.put(e.getKey(), e.getValue()));
      int answer = status.apply(new Request(req.path(), headers, body, 0));
      requests.add(new Request(req.path(), headers, body, answer));
      req.response().setStatusCode(answer).putHeader("Content-Type", "application/json")
          .end(answer < 300 ? "{\"status\":\"success\"}" : "{\"error\":\"test\"}");
    }));
    port = server.listen(onPort, "127.0.0.1").toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS).actualPort();
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  public void answer(int status) {
    this.status = req -> status;
  }

  /** Stops listening: connections are refused, as when the service is unreachable. */
  public void down() throws Exception {
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Listens again, on the same port. */
  public void up() throws Exception {
    listen(port);
  }

  public List<Request> requests() {
    return List.copyOf(requests);
  }

  public List<Request> accepted() {
    return requests.stream().filter(Request::accepted).toList();
  }

  @Override
  public void close() throws Exception {
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}

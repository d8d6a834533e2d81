package io.pgvigil.daemon.demo;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Slack and PagerDuty for the demo, when no real ones are configured: an HTTP server on 127.0.0.1 (an ephemeral port)
 * that answers as the services do and prints each message it gets as one line on the demo's console, e.g.
 * {@code [slack] FIRING shop lockQueue (critical): sessions queue behind a lock request, …}.
 */
final class LocalAlertReceiver implements AutoCloseable {

  static final String SLACK_PATH = "/slack";
  static final String PAGERDUTY_PATH = "/pagerduty";

  private final Vertx vertx;
  private final HttpServer server;
  private final PrintWriter out;

  private LocalAlertReceiver(Vertx vertx, HttpServer server, PrintWriter out) {
    this.vertx = vertx;
    this.server = server;
    this.out = out;
  }

  static LocalAlertReceiver start(PrintWriter out) throws Exception {
    Vertx vertx = Vertx.vertx();
    HttpServer server = vertx.createHttpServer();
    LocalAlertReceiver receiver = new LocalAlertReceiver(vertx, server, out);
    server.requestHandler(receiver::handle);
    try {
      server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      vertx.close().await(10, TimeUnit.SECONDS);
      throw e;
    }
    return receiver;
  }

  String slackUrl() {
    return base() + SLACK_PATH;
  }

  /** The Events API base URL the demo's config gives PagerDuty ({@code /v2/enqueue} is added). */
  String pagerDutyUrl() {
    return base() + PAGERDUTY_PATH;
  }

  private String base() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  private void handle(HttpServerRequest req) {
    boolean pd = req.path().startsWith(PAGERDUTY_PATH);
    req.body().onSuccess(body -> {
      List<String> lines;
      try {
        lines = pd ? pagerDuty(body.toJsonObject()) : slack(body.toJsonObject());
      } catch (RuntimeException e) {
        req.response().setStatusCode(400).end("{\"error\":\"not JSON\"}");
        return;
      }
      print(lines);
      req.response().setStatusCode(pd ? 202 : 200)
          .putHeader("Content-Type", pd ? "application/json" : "text/plain")
          .end(pd ? "{\"status\":\"success\",\"message\":\"Event processed\"}" : "ok");
    });
  }

  private void print(List<String> lines) {
    synchronized (out) {
      lines.forEach(out::println);
      out.flush();
    }
  }

  /** One line per alert of a Block Kit message as pgvigil's Slack sink builds it. */
  static List<String> slack(JsonObject message) {
    List<String> lines = new ArrayList<>();
    for (Object o : message.getJsonArray("blocks", new JsonArray())) {
      JsonObject block = (JsonObject) o;
      JsonArray fields = block.getJsonArray("fields");
      String text = block.getJsonObject("text", new JsonObject()).getString("text", "");
      if (!"section".equals(block.getString("type")) || fields == null) {
        continue;
      }
      Map<String, String> byLabel = new LinkedHashMap<>();
      for (Object f : fields) {
        String field = ((JsonObject) f).getString("text", "");
        int nl = field.indexOf('\n');
        if (nl > 0) {
          byLabel.put(field.substring(0, nl).replace("*", ""), unescape(field.substring(nl + 1)));
        }
      }
      String status = text.contains("*RESOLVED*") ? "RESOLVED" : "FIRING";
      String summary = unescape(text.replaceAll("^.*\\*(FIRING|RESOLVED)\\* \\*", "").replaceAll("\\*$", ""));
      lines.add(line("slack", status, byLabel.get("Target"), byLabel.get("Rule"), byLabel.get("Severity"), summary));
    }
    if (lines.isEmpty()) {
      lines.add("[slack] " + message.getString("text", "(a message without text)"));
    }
    return lines;
  }

  static List<String> pagerDuty(JsonObject event) {
    String action = event.getString("event_action", "?").toUpperCase(Locale.ROOT);
    JsonObject payload = event.getJsonObject("payload");
    if (payload == null) {
      return List.of("[pagerduty] " + action + " " + event.getString("dedup_key"));
    }
    return List.of(line("pagerduty", action, payload.getString("source"), payload.getString("class"),
        payload.getString("severity"), payload.getString("summary")));
  }

  /**
   * {@code [sink] STATUS target rule [object] (severity): what}, the summary's own
   * "rule on target (object): " moved to the front.
   */
  private static String line(String sink, String status, String target, String rule, String severity, String summary) {
    String what = String.valueOf(summary);
    String object = "";
    String prefix = rule + " on " + target;
    if (what.startsWith(prefix + ": ")) {
      what = what.substring(prefix.length() + 2);
    } else if (what.startsWith(prefix + " (") && what.indexOf("): ") > prefix.length()) {
      int end = what.indexOf("): ");
      object = " " + what.substring(prefix.length() + 2, end);
      what = what.substring(end + 3);
    }
    return "[" + sink + "] " + status + " " + target + " " + rule + object + " (" + severity + "): " + what;
  }

  private static String unescape(String s) {
    return s.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
  }

  @Override
  public void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }
}

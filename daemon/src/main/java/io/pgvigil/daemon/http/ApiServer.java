package io.pgvigil.daemon.http;

import io.pgvigil.alerts.AlertJson;
import io.pgvigil.common.SecretValue;
import io.pgvigil.daemon.alerting.Alerting;
import io.pgvigil.daemon.alerting.Silences;
import io.pgvigil.daemon.killswitch.AbortLog;
import io.pgvigil.daemon.logging.UntrustedText;
import io.pgvigil.daemon.metrics.Metrics;
import io.pgvigil.daemon.windows.WindowRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.HttpException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one HTTP server: probes, Prometheus metrics, the status page and the JSON API it reads (errors too are
 * JSON). The probes, {@code /metrics} and the page (which holds no data of its own) are always open; the read API
 * wants a bearer token when {@code server.readToken} is set; mutating endpoints always do.
 */
public final class ApiServer {

  private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);

  /** The Prometheus text format version Micrometer's registry writes. */
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final Vertx vertx;
  private final Metrics metrics;
  private final Targets targets;
  private final Router router;
  private HttpServer server;

  public ApiServer(Vertx vertx, Metrics metrics, Targets targets, Optional<SecretValue> apiToken,
      Optional<SecretValue> readToken, WindowRegistry windows, AbortLog aborts,
      Alerting alerting, Silences silences) {
    this.vertx = vertx;
    this.metrics = metrics;
    this.targets = targets;
    this.router = Router.router(vertx);
    BearerToken bearer = BearerToken.mutating(apiToken);
    router.route().handler(this::wellFormedQuery);
    // A path Vert.x cannot decode (a bad %-escape) fails while routes are matched, before any
    // handler runs; without this Vert.x logs a stack trace at ERROR for every such request.
    router.errorHandler(400, ctx -> malformed(ctx, ctx.failure()));
    router.get("/healthz").handler(ctx -> json(ctx, 200, new JsonObject().put("status", "ok")));
    router.get("/readyz").handler(this::readyz);
    router.get("/metrics").handler(this::metrics);
    StatusPage page = new StatusPage();
    router.get("/").handler(page::index);
    // Uptime checks and load balancers ask HEAD /; Vert.x sends the headers of the GET without its body.
    router.head("/").handler(page::index);
    router.get("/status/:file").handler(page::asset);
    router.get("/favicon.ico").handler(page::favicon);
    router.get("/api/v1/*").handler(BearerToken.reading(readToken, apiToken));
    TargetRoutes target = new TargetRoutes(targets);
    router.get("/api/v1/targets").handler(target::list);
    router.get("/api/v1/targets/:name").handler(target::get);
    router.get("/api/v1/targets/:name/drift").handler(target::drift);
    router.post("/api/v1/targets/:name/drift").handler(bearer).handler(target::driftNow);
    router.get("/api/v1/targets/:name/locks").handler(target::locks);
    router.get("/api/v1/targets/:name/replication").handler(target::replication);
    WindowRoutes windowRoutes = new WindowRoutes(targets, windows);
    router.get("/api/v1/windows").handler(windowRoutes::list);
    // Vert.x Web wants the body handler first on a route.
    router.post("/api/v1/windows").handler(BodyHandler.create().setBodyLimit(16 * 1024))
        .handler(bearer).handler(windowRoutes::open);
    router.delete("/api/v1/windows/:id").handler(bearer).handler(windowRoutes::close);
    SilenceRoutes silenceRoutes = new SilenceRoutes(targets, silences);
    router.get("/api/v1/silences").handler(silenceRoutes::list);
    router.post("/api/v1/silences").handler(BodyHandler.create().setBodyLimit(16 * 1024))
        .handler(bearer).handler(silenceRoutes::add);
    router.delete("/api/v1/silences/:id").handler(bearer).handler(silenceRoutes::expire);
    router.get("/api/v1/aborts").handler(ctx -> json(ctx, 200,
        new JsonObject().put("aborts", ApiJson.aborts(aborts.recent()))));
    // What fires now and the last resolved alerts, in the webhook body's shape (alerts/WEBHOOK.md);
    // sinks by name, never their URLs or keys; a firing alert with the silences holding it back; each alert with the
    // sinks it was queued for (sentTo: queued, not delivered).
    router.get("/api/v1/alerts").handler(ctx -> json(ctx, 200, new JsonObject()
        .put("sinks", new JsonArray(alerting.sinks()))
        .put("firing", ApiJson.array(alerting.firing(),
            a -> AlertJson.alert(a).put("silencedBy", new JsonArray(silences.silencing(a)))
                .put("sentTo", new JsonArray(alerting.sentTo(a)))))
        .put("resolved", ApiJson.array(alerting.recentlyResolved(),
            a -> AlertJson.alert(a).put("sentTo", new JsonArray(alerting.sentTo(a)))))));
    router.route().last().handler(ctx -> error(ctx, 404,
        "no such endpoint: " + ctx.request().method() + " " + ctx.request().path()));
    router.route().failureHandler(ctx -> error(ctx, ctx.statusCode() > 0 ? ctx.statusCode() : 500,
        ctx.failure() == null ? "request failed" : ctx.failure().getMessage()));
  }

  /** Starts listening; the future holds the bound port. */
  public Future<Integer> listen(String host, int port) {
    // Compressed for clients that ask (a phone on the status page, Prometheus): JSON shrinks about tenfold.
    server = vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port)
        .setCompressionSupported(true));
    return server.requestHandler(router).listen().map(HttpServer::actualPort);
  }

  public Future<Void> close() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  private void wellFormedQuery(RoutingContext ctx) {
    try {
      ctx.queryParams();
    } catch (IllegalArgumentException | HttpException e) {
      // Vert.x wraps the decoder's IllegalArgumentException in a 400 HttpException.
      malformed(ctx, e.getCause() == null ? e : e.getCause());
      return;
    }
    ctx.next();
  }

  /** Answers 400 for a request whose path or query cannot be decoded, logging one line. */
  private static void malformed(RoutingContext ctx, Throwable cause) {
    String reason = cause == null || cause.getMessage() == null ? "not valid percent-encoding"
        : cause.getMessage();
    LOG.info("400 for {} {}: {}", ctx.request().method(), UntrustedText.of(ctx.request().uri()),
        UntrustedText.of(reason));
    error(ctx, 400, "malformed request target (" + reason + "); percent-encode reserved characters, "
        + "e.g. %25 for '%'");
  }

  private void readyz(RoutingContext ctx) {
    boolean isReady = targets.ready();
    JsonArray waiting = new JsonArray(
        targets.statuses().stream().filter(t -> !t.polled()).map(t -> t.name()).toList());
    json(ctx, isReady ? 200 : 503, new JsonObject().put("status", isReady ? "ready" : "starting")
        .put("waitingFor", waiting));
  }

  private void metrics(RoutingContext ctx) {
    // Scraping walks every meter: keep it off the event loop.
    vertx.executeBlocking(metrics::scrape)
        .onSuccess(text -> ctx.response().putHeader("Content-Type", PROMETHEUS_TEXT).end(text))
        .onFailure(ctx::fail);
  }

  static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encodePrettily());
  }

  static void error(RoutingContext ctx, int status, String message) {
    if (!ctx.response().ended()) {
      json(ctx, status, new JsonObject().put("error", message));
    }
  }
}

package io.pgvigil.daemon.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /} (and {@code HEAD /}) and {@code /status/{file}}: the read-only status page, plain HTML, CSS and JavaScript read from the jar
 * once at start and held in memory (a few tens of kilobytes). It reads the same JSON API as anyone else, so a page
 * nobody has open costs nothing, and one that is open costs a few in-memory reads a second, never a query.
 *
 * <p>Everything it loads comes from this server: the Content-Security-Policy says so ({@code default-src 'self'}),
 * and the page has no inline script or style for it to allow. The asset URLs carry a hash of their content, so a
 * browser keeps them for a year and still never runs a stale script after an upgrade; the page itself is revalidated
 * on every load (ETag).
 */
final class StatusPage {

  static final String CONTENT_SECURITY_POLICY = "default-src 'self'; base-uri 'none'; form-action 'none'; "
      + "frame-ancestors 'none'; object-src 'none'";
  private static final String ROOT = "/status/";
  private static final Map<String, String> FILES = Map.of("status.js", "text/javascript; charset=utf-8",
      "status.css", "text/css; charset=utf-8", "icon.svg", "image/svg+xml");
  private static final String IMMUTABLE = "public, max-age=31536000, immutable";
  private static final String REVALIDATE = "no-cache";

  private record Asset(Buffer body, String contentType, String etag) {}

  private final Map<String, Asset> assets = new LinkedHashMap<>();
  private final String version;
  private final Asset index;

  StatusPage() {
    StringBuilder all = new StringBuilder();
    // In the files' names' order, not Map.of's (which differs per JVM): the same jar gives the same ?v= on every
    // start and every replica, so a page loaded from one pod keeps its cached assets on the other.
    for (String file : FILES.keySet().stream().sorted().toList()) {
      assets.put(file, asset(read(file), FILES.get(file)));
      all.append(file).append(assets.get(file).etag());
    }
    version = hash(all.toString().getBytes(StandardCharsets.UTF_8)).substring(0, 12);
    String html = new String(read("index.html"), StandardCharsets.UTF_8).replace("{{version}}", version);
    index = asset(html.getBytes(StandardCharsets.UTF_8), "text/html; charset=utf-8");
  }

  void index(RoutingContext ctx) {
    serve(ctx, index, REVALIDATE);
  }

  void asset(RoutingContext ctx) {
    Asset asset = assets.get(ctx.pathParam("file"));
    if (asset == null) {
      ApiServer.error(ctx, 404, "no such file: " + ctx.request().path());
      return;
    }
    serve(ctx, asset, version.equals(ctx.request().getParam("v")) ? IMMUTABLE : REVALIDATE);
  }

  /** Browsers ask for {@code /favicon.ico} whatever the page says: the page's icon, not a 404 in the console. */
  void favicon(RoutingContext ctx) {
    serve(ctx, assets.get("icon.svg"), REVALIDATE);
  }

  private static void serve(RoutingContext ctx, Asset asset, String cacheControl) {
    ctx.response().putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        .putHeader("X-Content-Type-Options", "nosniff").putHeader("Referrer-Policy", "no-referrer")
        .putHeader("X-Frame-Options", "DENY").putHeader("Cache-Control", cacheControl)
        .putHeader("ETag", asset.etag())
        // The server compresses when asked: a shared cache must not hand a gzip body to a client that did not ask.
        .putHeader("Vary", "Accept-Encoding");
    if (asset.etag().equals(ctx.request().getHeader("If-None-Match"))) {
      ctx.response().setStatusCode(304).end();
      return;
    }
    ctx.response().putHeader("Content-Type", asset.contentType()).end(asset.body());
  }

  private static Asset asset(byte[] body, String contentType) {
    return new Asset(Buffer.buffer(body), contentType, "\"" + hash(body).substring(0, 20) + "\"");
  }

  private static byte[] read(String file) {
    try (InputStream in = StatusPage.class.getResourceAsStream(ROOT + file)) {
      if (in == null) {
        throw new IllegalStateException("the status page's " + file + " is missing from the jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String hash(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}

package io.pgvigil.daemon.http;

import io.pgvigil.alerts.SecretValue;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Guards mutating endpoints. Without a configured token they are disabled
 * (403), never open; a missing or wrong token is 401. The comparison takes the
 * same time whatever the token, so it cannot be guessed byte by byte.
 */
final class BearerToken implements Handler<RoutingContext> {

  private static final String PREFIX = "Bearer ";

  private final Optional<byte[]> expected;

  BearerToken(Optional<SecretValue> token) {
    this.expected = token.map(t -> t.reveal().getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (expected.isEmpty()) {
      ApiServer.error(ctx, 403, "this endpoint changes state and is disabled: "
          + "set server.apiToken in the config to enable it");
      return;
    }
    String header = ctx.request().getHeader("Authorization");
    byte[] given = header != null && header.startsWith(PREFIX)
        ? header.substring(PREFIX.length()).trim().getBytes(StandardCharsets.UTF_8)
        : new byte[0];
    if (!MessageDigest.isEqual(given, expected.get())) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      ApiServer.error(ctx, 401, header == null
          ? "missing 'Authorization: Bearer <apiToken>' header"
          : "the bearer token is not server.apiToken");
      return;
    }
    ctx.next();
  }
}

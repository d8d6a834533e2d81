package io.pgvigil.daemon.http;

import io.pgvigil.common.SecretValue;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Guards endpoints with {@code Authorization: Bearer <token>}, the scheme in any case (RFC 7235
 * section 2.1). The comparison takes the same time whatever the token, so it cannot be guessed
 * byte by byte.
 */
final class BearerToken implements Handler<RoutingContext> {

  private static final String SCHEME = "Bearer";

  private final List<byte[]> accepted;
  private final boolean disabledWithoutToken;
  private final String expected;

  private BearerToken(List<byte[]> accepted, boolean disabledWithoutToken, String expected) {
    this.accepted = accepted;
    this.disabledWithoutToken = disabledWithoutToken;
    this.expected = expected;
  }

  /** For endpoints that change state: {@code server.apiToken}, or 403 when none is configured. */
  static BearerToken mutating(Optional<SecretValue> apiToken) {
    return new BearerToken(apiToken.stream().map(BearerToken::bytes).toList(), true, "server.apiToken");
  }

  /** For the read API: open without {@code server.readToken}; with it, that token or the API token. */
  static BearerToken reading(Optional<SecretValue> readToken, Optional<SecretValue> apiToken) {
    List<byte[]> accepted = readToken.isEmpty() ? List.of()
        : Stream.concat(readToken.stream(), apiToken.stream()).map(BearerToken::bytes).toList();
    return new BearerToken(accepted, false, "server.readToken or server.apiToken");
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (accepted.isEmpty()) {
      if (disabledWithoutToken) {
        ApiServer.error(ctx, 403, "this endpoint changes state and is disabled: "
            + "set server.apiToken in the config to enable it");
      } else {
        ctx.next();
      }
      return;
    }
    String header = ctx.request().getHeader("Authorization");
    Optional<byte[]> given = Optional.ofNullable(header).flatMap(BearerToken::credentials);
    boolean match = false;
    for (byte[] token : accepted) {
      // Every token is compared, so the time taken does not tell which one came close.
      match |= MessageDigest.isEqual(given.orElse(new byte[0]), token);
    }
    if (!match) {
      ctx.response().putHeader("WWW-Authenticate", SCHEME);
      ApiServer.error(ctx, 401, header == null
          ? "missing 'Authorization: Bearer <token>' header; this endpoint needs " + expected
          : given.isEmpty() ? "the Authorization header must be 'Bearer <token>' with " + expected
          : "the bearer token is not " + expected);
      return;
    }
    ctx.next();
  }

  private static Optional<byte[]> credentials(String header) {
    String value = header.strip();
    int space = value.indexOf(' ');
    if (space < 0 || !value.substring(0, space).equalsIgnoreCase(SCHEME)) {
      return Optional.empty();
    }
    String token = value.substring(space + 1).strip();
    return token.isEmpty() ? Optional.empty() : Optional.of(token.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] bytes(SecretValue token) {
    return token.reveal().getBytes(StandardCharsets.UTF_8);
  }
}

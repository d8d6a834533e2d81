package io.pgvigil.daemon.watch;

import io.pgvigil.checks.session.SessionSafety;
import io.pgvigil.common.SecretValue;
import io.pgvigil.daemon.config.DatabaseUrl;
import io.pgvigil.daemon.config.TargetConfig;
import io.pgvigil.daemon.tls.TlsSettings;
import io.pgvigil.daemon.tls.TlsSetupException;
import io.pgvigil.daemon.tls.VertxTls;
import io.vertx.pgclient.PgConnectOptions;
import java.time.Duration;

public final class TargetSpecs {

  public static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  private TargetSpecs() {}

  public static TargetSpec from(TargetConfig target, Duration maxBackoff) {
    Duration queryTimeout = target.watch().statementTimeout();
    return new TargetSpec(target.name(), target.url().redacted(),
        connectOptions(target.url(), queryTimeout), target.connectTimeout(),
        target.watch().interval(), queryTimeout, maxBackoff);
  }

  /**
   * Every pgvigil session names itself and carries a server-side statement and lock timeout from
   * its first packet (startup parameters), so no monitoring query can run long or queue behind a
   * migration's lock, even if the client-side timeout fails to fire.
   */
  public static PgConnectOptions connectOptions(DatabaseUrl url, Duration queryTimeout) {
    // URL parameters are TLS settings only (DatabaseUrl refuses others): none is a startup parameter.
    PgConnectOptions options = new PgConnectOptions()
        .setHost(url.host())
        .setPort(url.port())
        .setDatabase(url.database())
        .setUser(url.user())
        .setProperties(SessionSafety.poll(queryTimeout).startupParameters())
        .setReconnectAttempts(0)
        // Every monitoring query is a fixed text polled every second: plan each once per
        // connection. The filter lifts Vert.x's default 2,048-character limit, which the lock
        // probe exceeds (it was re-planned on every poll: 3 ms of 3.5).
        .setCachePreparedStatements(true)
        .setPreparedStatementCacheSqlFilter(sql -> true);
    url.password().map(SecretValue::reveal).ifPresent(options::setPassword);
    return withTls(options, url.tls(), url.redacted());
  }

  /** Reads the PEM files (blocking): build once, off the event loop's polls. */
  public static PgConnectOptions withTls(PgConnectOptions options, TlsSettings tls, String what) {
    try {
      return VertxTls.apply(options, tls);
    } catch (TlsSetupException e) {
      // The config check read these files already: they changed since.
      throw new IllegalStateException(what + ": " + e.getMessage(), e);
    }
  }
}

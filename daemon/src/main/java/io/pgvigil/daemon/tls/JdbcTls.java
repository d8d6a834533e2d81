package io.pgvigil.daemon.tls;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * TLS for pgjdbc: the URL parameters that route its connections through {@link PemSslSocketFactory}.
 *
 * <p>Settings holding PEM text (given through {@code ${env:}} or {@code ${file:}}) are handed to pgjdbc by an opaque
 * id. pgjdbc builds the factory from its class name and the connection's text properties only, and a private key must
 * go neither to disk (a temporary file outlives a SIGKILL, and the chart's /tmp outlives the container) nor into the
 * JDBC URL (which pgjdbc's debug log and pgvigil's messages print). The registry is static, against the house rule,
 * because pgjdbc instantiates the factory by name: there is no other way to reach it. One id per distinct settings, so
 * the maps grow only with the config's URLs, not with every connection.
 */
public final class JdbcTls {

  /**
   * pgjdbc's (deprecated, still honoured) argument for a custom sslfactory: a known property, so
   * PGSimpleDataSource keeps it, and like every pgjdbc property never sent to the server.
   */
  static final String FACTORY_ARG = "sslfactoryarg";

  private static final String INLINE = "<inline-pem>";
  private static final ConcurrentMap<TlsSettings, String> IDS = new ConcurrentHashMap<>();
  private static final ConcurrentMap<String, TlsSettings> INLINE_SETTINGS = new ConcurrentHashMap<>();

  private JdbcTls() {}

  /** {@code sslmode} and, unless disabled, {@code sslfactory}, the PEM paths and the id of inline PEM. */
  public static Map<String, String> parameters(TlsSettings tls) {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("sslmode", tls.mode().libpq());
    if (!tls.mode().usesTls()) {
      return params;
    }
    params.put("sslfactory", PemSslSocketFactory.class.getName());
    path(tls.rootCert()).ifPresent(p -> params.put("sslrootcert", p));
    path(tls.cert()).ifPresent(p -> params.put("sslcert", p));
    path(tls.key()).ifPresent(p -> params.put("sslkey", p));
    if (inline(tls.rootCert()) || inline(tls.cert()) || inline(tls.key())) {
      params.put(FACTORY_ARG, IDS.computeIfAbsent(tls, settings -> {
        String id = "pgvigil-inline-tls-" + UUID.randomUUID();
        INLINE_SETTINGS.put(id, settings);
        return id;
      }));
    }
    return params;
  }

  static Optional<TlsSettings> inlineSettings(String id) {
    return Optional.ofNullable(INLINE_SETTINGS.get(id));
  }

  private static boolean inline(Optional<PemSource> source) {
    return source.filter(PemSource.Text.class::isInstance).isPresent();
  }

  /**
   * The file's path; for inline text a placeholder that names no file, so that a connection that
   * lost its {@link #FACTORY_ARG} fails instead of going on without the certificate.
   */
  private static Optional<String> path(Optional<PemSource> source) {
    return source.map(s -> s instanceof PemSource.File file ? file.path().toString() : INLINE);
  }
}

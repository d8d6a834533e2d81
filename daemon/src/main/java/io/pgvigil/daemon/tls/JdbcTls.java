package io.pgvigil.daemon.tls;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** TLS for pgjdbc: the URL parameters that route its connections through {@link PemSslSocketFactory}. */
public final class JdbcTls {

  /**
   * pgjdbc's (deprecated, still honoured) argument for a custom sslfactory: a known property, so
   * PGSimpleDataSource keeps it, and like every pgjdbc property never sent to the server.
   */
  static final String FACTORY_ARG = "sslfactoryarg";

  private JdbcTls() {}

  /**
   * {@code sslmode} and, unless disabled, {@code sslfactory} and the PEM paths. A PEM given inline
   * (through ${file:} or ${env:}) stays in memory: the URL carries only an opaque id for it
   * ({@link InlineTlsSettings}), never the text, and nothing is written to disk.
   */
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
      params.put(FACTORY_ARG, InlineTlsSettings.register(tls));
    }
    return params;
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

  private static final String INLINE = "<inline-pem>";
}

package io.pgvigil.daemon.tls;

import java.util.Map;
import java.util.Optional;

/**
 * How pgvigil protects one database connection: libpq's {@code sslmode}, the CA certificates that
 * vouch for the server ({@code sslrootcert}) and the client certificate and key
 * ({@code sslcert}/{@code sslkey}). {@code sslrootcert=system}, as in libpq 16+, means the JDK's trust
 * store, and so does verify-full without sslrootcert (verify-ca needs one).
 */
public record TlsSettings(SslMode mode, Optional<PemSource> rootCert, Optional<PemSource> cert,
    Optional<PemSource> key) {

  public static final String SYSTEM_ROOT_CERT = "system";

  public static final TlsSettings PLAIN = new TlsSettings(SslMode.DISABLE, Optional.empty(), Optional.empty(),
      Optional.empty());

  /** From URL parameters {@code DatabaseUrl.parse} has already validated. */
  public static TlsSettings fromParams(Map<String, String> params) {
    SslMode mode = Optional.ofNullable(params.get("sslmode")).flatMap(SslMode::fromLibpq).orElse(SslMode.DEFAULT);
    Optional<PemSource> root = Optional.ofNullable(params.get("sslrootcert"))
        .filter(v -> !v.equals(SYSTEM_ROOT_CERT)).map(PemSource::of);
    return new TlsSettings(mode, root, Optional.ofNullable(params.get("sslcert")).map(PemSource::of),
        Optional.ofNullable(params.get("sslkey")).map(PemSource::of));
  }

  /** Whether the server's certificate chain is checked (against rootCert, else the JDK's trust store). */
  public boolean verifiesChain() {
    return mode.verifiesChain(rootCert.isPresent());
  }
}

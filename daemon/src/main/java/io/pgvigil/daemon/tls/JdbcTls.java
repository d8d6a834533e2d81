package io.pgvigil.daemon.tls;

import io.pgvigil.daemon.config.PemSource;
import io.pgvigil.daemon.config.TlsSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** TLS for pgjdbc: the URL parameters that route its connections through {@link PemSslSocketFactory}. */
public final class JdbcTls {

  private JdbcTls() {}

  /**
   * {@code sslmode} and, unless disabled, {@code sslfactory} and the PEM paths. pgjdbc takes
   * parameters only as text: a PEM given inline (through ${file:} or ${env:}) is written to a
   * private temporary file (owner-only, deleted when pgvigil exits).
   */
  public static Map<String, String> parameters(TlsSettings tls) throws TlsSetupException {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("sslmode", tls.mode().libpq());
    if (!tls.mode().usesTls()) {
      return params;
    }
    params.put("sslfactory", PemSslSocketFactory.class.getName());
    path(tls.rootCert(), "sslrootcert").ifPresent(p -> params.put("sslrootcert", p));
    path(tls.cert(), "sslcert").ifPresent(p -> params.put("sslcert", p));
    path(tls.key(), "sslkey").ifPresent(p -> params.put("sslkey", p));
    return params;
  }

  private static Optional<String> path(Optional<PemSource> source, String what) throws TlsSetupException {
    if (source.isEmpty()) {
      return Optional.empty();
    }
    if (source.get() instanceof PemSource.File file) {
      return Optional.of(file.path().toString());
    }
    try {
      Path file = Files.createTempFile("pgvigil-" + what + "-", ".pem",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      file.toFile().deleteOnExit();
      Files.writeString(file, ((PemSource.Text) source.get()).pem(), StandardCharsets.US_ASCII);
      return Optional.of(file.toString());
    } catch (IOException | UnsupportedOperationException e) {
      throw new TlsSetupException("cannot write the inline " + what + " to a temporary file for the JDBC driver ("
          + e.getMessage() + ")", e);
    }
  }
}

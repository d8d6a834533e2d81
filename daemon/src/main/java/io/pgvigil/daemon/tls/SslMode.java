package io.pgvigil.daemon.tls;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * libpq's {@code sslmode}, with libpq's meaning
 * (https://www.postgresql.org/docs/current/libpq-ssl.html#LIBPQ-SSL-PROTECTION).
 */
public enum SslMode {
  /** Plain text only. */
  DISABLE,
  /** Plain text first; TLS only if the server refuses a plain connection. */
  ALLOW,
  /** TLS first, plain text if TLS fails; libpq's default. */
  PREFER,
  /** TLS or nothing; the certificate is checked only when {@code sslrootcert} is given (as libpq does). */
  REQUIRE,
  /**
   * TLS, and the server's certificate must chain to a CA of {@code sslrootcert}, which it needs (as
   * libpq): the host name is not checked, so the JDK's public CAs would accept anyone's certificate.
   */
  VERIFY_CA,
  /** As verify-ca, and the certificate must name the host of the URL. */
  VERIFY_FULL;

  public static final SslMode DEFAULT = PREFER;

  /** The name in URLs, e.g. {@code verify-full}. */
  public String libpq() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public boolean usesTls() {
    return this != DISABLE;
  }

  public boolean verifiesHost() {
    return this == VERIFY_FULL;
  }

  /**
   * Whether the certificate chain must be checked, given whether {@code sslrootcert} was given
   * (verify-ca without it is refused: {@link DatabaseUrl}, {@code TlsContexts}).
   */
  public boolean verifiesChain(boolean rootCertGiven) {
    return this == VERIFY_CA || this == VERIFY_FULL || this == REQUIRE && rootCertGiven;
  }

  public static Optional<SslMode> fromLibpq(String name) {
    return Arrays.stream(values()).filter(m -> m.libpq().equals(name)).findFirst();
  }

  public static List<String> names() {
    return Arrays.stream(values()).map(SslMode::libpq).toList();
  }
}

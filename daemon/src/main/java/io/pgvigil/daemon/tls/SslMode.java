package io.pgvigil.daemon.tls;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * libpq's {@code sslmode}, with libpq's meaning
 * (https://www.postgresql.org/docs/current/libpq-ssl.html#LIBPQ-SSL-PROTECTION).
 */
public enum SslMode {
  /** Plain text only. */
  DISABLE("disable", false, false, false),
  /** Plain text first; TLS only if the server refuses a plain connection. */
  ALLOW("allow", true, false, false),
  /** TLS first, plain text if TLS fails; libpq's default. */
  PREFER("prefer", true, false, false),
  /** TLS or nothing; the certificate is checked only when {@code sslrootcert} is given (as libpq does). */
  REQUIRE("require", true, true, false),
  /**
   * TLS, and the server's certificate must chain to a CA of {@code sslrootcert}, which it needs (as
   * libpq): the host name is not checked, so the JDK's public CAs would accept anyone's certificate.
   */
  VERIFY_CA("verify-ca", true, true, false),
  /** As verify-ca, and the certificate must name the host of the URL. */
  VERIFY_FULL("verify-full", true, true, true);

  /** libpq's default when a URL says nothing. */
  public static final SslMode DEFAULT = PREFER;

  private final String libpq;
  private final boolean usesTls;
  private final boolean requiresTls;
  private final boolean verifiesHost;

  SslMode(String libpq, boolean usesTls, boolean requiresTls, boolean verifiesHost) {
    this.libpq = libpq;
    this.usesTls = usesTls;
    this.requiresTls = requiresTls;
    this.verifiesHost = verifiesHost;
  }

  /** The name in URLs, e.g. {@code verify-full}. */
  public String libpq() {
    return libpq;
  }

  /** Whether a connection may be encrypted at all. */
  public boolean usesTls() {
    return usesTls;
  }

  /** Whether a connection must be encrypted. */
  public boolean requiresTls() {
    return requiresTls;
  }

  /** Whether the certificate must name the host (verify-full). */
  public boolean verifiesHost() {
    return verifiesHost;
  }

  /**
   * Whether the certificate chain must be checked, given whether {@code sslrootcert} was given
   * (verify-ca without it is refused: {@link UrlParameters}, {@code TlsContexts}).
   */
  public boolean verifiesChain(boolean rootCertGiven) {
    return this == VERIFY_CA || this == VERIFY_FULL || this == REQUIRE && rootCertGiven;
  }

  public static Optional<SslMode> fromLibpq(String name) {
    return Arrays.stream(values()).filter(m -> m.libpq.equals(name)).findFirst();
  }

  public static List<String> names() {
    return Arrays.stream(values()).map(SslMode::libpq).toList();
  }
}

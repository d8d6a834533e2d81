package io.pgvigil.checks.tls;

import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * Says in one line why a TLS connection failed, from what the reactive client or pgjdbc threw: their own messages are
 * JDK internals ("PKIX path building failed: sun.security...") or, for the reactive client, nothing at all ("SSL
 * handshake failed").
 */
public final class TlsFailure {

  private TlsFailure() {}

  /** The reason, or empty when the failure has nothing to do with TLS. */
  public static Optional<String> reason(Throwable failure, String host) {
    boolean tls = false;
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String message = String.valueOf(t.getMessage());
      if (t instanceof CertificateExpiredException || t instanceof CertificateNotYetValidException) {
        return Optional.of("the TLS certificate of " + host + " is expired or not yet valid (" + message + ")");
      }
      if (t instanceof CertPathBuilderException || t instanceof CertPathValidatorException
          || message.contains("PKIX path")) {
        return Optional.of("the TLS certificate of " + host + " is not trusted: no CA of sslrootcert (or, without"
            + " sslrootcert, of the JDK's trust store) signed it");
      }
      if (message.contains("No subject alternative") || message.contains("No name matching")
          || message.contains("could not be verified by hostnameverifier")) {
        return Optional.of("the TLS certificate of " + host + " is not issued for the host name " + host
            + " (sslmode=verify-full checks it; connect by a name the certificate lists)");
      }
      if (message.contains("does not support SSL") || message.contains("does not handle SSL")) {
        return Optional.of("the server " + host + " does not accept TLS connections; turn ssl on in its"
            + " postgresql.conf or use sslmode=prefer");
      }
      if (message.contains("SocketFactory class provided")) {
        tls = true; // pgjdbc's wrapper around pgvigil's own factory: the cause says what is wrong
        continue;
      }
      tls |= t instanceof SSLException || message.contains("SSL handshake");
      if (tls && t.getCause() == null) {
        return Optional.of("the TLS connection to " + host + " failed (" + message + ")");
      }
    }
    return Optional.empty();
  }
}

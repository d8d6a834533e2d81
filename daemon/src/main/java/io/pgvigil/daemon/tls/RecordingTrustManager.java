package io.pgvigil.daemon.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Checks like the JDK's trust manager it wraps, and remembers why it last refused a server: the
 * reactive client reports a failed handshake only as "SSL handshake failed", without the cause.
 */
final class RecordingTrustManager extends X509ExtendedTrustManager {

  private final X509ExtendedTrustManager delegate;
  private final AtomicReference<CertificateException> lastRejection = new AtomicReference<>();

  RecordingTrustManager(X509ExtendedTrustManager delegate) {
    this.delegate = delegate;
  }

  /** Why the server's certificate was last refused, unless one was accepted since. */
  Optional<CertificateException> lastRejection() {
    return Optional.ofNullable(lastRejection.get());
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    try {
      delegate.checkServerTrusted(chain, authType, engine);
      lastRejection.set(null);
    } catch (CertificateException e) {
      lastRejection.set(e);
      throw e;
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    delegate.checkServerTrusted(chain, authType, socket);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    delegate.checkServerTrusted(chain, authType);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    delegate.checkClientTrusted(chain, authType, engine);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    delegate.checkClientTrusted(chain, authType, socket);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    delegate.checkClientTrusted(chain, authType);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return delegate.getAcceptedIssuers();
  }
}

package io.pgvigil.daemon.tls;

import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509KeyManager;

/**
 * The JDK trust and key managers for one {@link TlsSettings}, built the same way for the reactive
 * client and for pgjdbc. Host names are not checked here: the clients do it for verify-full.
 */
public final class TlsContexts {

  private static final char[] NO_PASSWORD = new char[0];

  private TlsContexts() {}

  /**
   * Who vouches for the server: the CAs of sslrootcert, else (verify-full only) the JDK's trust store; empty when the
   * mode does not check certificates (require without sslrootcert, prefer, allow), as libpq.
   */
  public static Optional<X509ExtendedTrustManager> trustManager(TlsSettings tls) throws TlsSetupException {
    if (!tls.verifiesChain()) {
      return Optional.empty();
    }
    if (tls.mode() == SslMode.VERIFY_CA && tls.rootCert().isEmpty()) {
      // The JDK's public CAs, without the host name check, would accept anyone's certificate.
      throw new TlsSetupException("sslmode=verify-ca needs sslrootcert; give it, or use sslmode=verify-full"
          + " with sslrootcert=system");
    }
    try {
      KeyStore roots = null; // the JDK's own trust store
      if (tls.rootCert().isPresent()) {
        roots = KeyStore.getInstance("PKCS12");
        roots.load(null, null);
        List<X509Certificate> cas = PemMaterial.certificates(tls.rootCert().get(), "sslrootcert");
        for (int i = 0; i < cas.size(); i++) {
          roots.setCertificateEntry("ca-" + i, cas.get(i));
        }
      }
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(roots);
      for (TrustManager manager : factory.getTrustManagers()) {
        if (manager instanceof X509ExtendedTrustManager x509) {
          return Optional.of(x509);
        }
      }
      throw new TlsSetupException("the JDK offers no X.509 trust manager");
    } catch (GeneralSecurityException | IOException e) {
      throw new TlsSetupException("cannot use sslrootcert: " + e.getMessage(), e);
    }
  }

  public static Optional<X509KeyManager> keyManager(TlsSettings tls) throws TlsSetupException {
    if (tls.cert().isEmpty() || tls.key().isEmpty()) {
      return Optional.empty();
    }
    List<X509Certificate> chain = PemMaterial.certificates(tls.cert().get(), "sslcert");
    PrivateKey key = PemMaterial.privateKey(tls.key().get(), "sslkey");
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("client", key, NO_PASSWORD, chain.toArray(X509Certificate[]::new));
      KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      factory.init(store, NO_PASSWORD);
      return Optional.of((X509KeyManager) factory.getKeyManagers()[0]);
    } catch (GeneralSecurityException | IOException e) {
      throw new TlsSetupException("sslkey does not fit sslcert (" + e.getMessage() + ")", e);
    }
  }

  public static SSLContext sslContext(TlsSettings tls) throws TlsSetupException {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      // libpq's require/prefer/allow without sslrootcert take anyone's certificate. Netty's
      // trust-all manager is an X509ExtendedTrustManager, so the JDK adds no checks around it.
      TrustManager[] trust = trustManager(tls).map(t -> new TrustManager[] {t})
          .orElseGet(InsecureTrustManagerFactory.INSTANCE::getTrustManagers);
      context.init(keyManager(tls).map(k -> new X509KeyManager[] {k}).orElse(null), trust, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new TlsSetupException("cannot set up TLS: " + e.getMessage(), e);
    }
  }
}

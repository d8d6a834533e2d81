package io.pgvigil.daemon.tls;

import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.TrustOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import java.util.Optional;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/** TLS for the reactive client (the monitoring pools and the drift snapshots). */
public final class VertxTls {

  private VertxTls() {}

  /**
   * Sets the sslmode and, whenever TLS may be used, the SSL options: the client dereferences them
   * for every mode but disable (a missing one was the NullPointerException of require, and made
   * prefer fall back to plain text every time).
   */
  public static PgConnectOptions apply(PgConnectOptions options, TlsSettings tls) throws TlsSetupException {
    options.setSslMode(SslMode.valueOf(tls.mode().name()));
    if (!tls.mode().usesTls()) {
      return options;
    }
    // "HTTPS" is RFC 2818 host name checking (SAN DNS names and IP addresses), what verify-full means.
    ClientSSLOptions ssl = new ClientSSLOptions()
        .setHostnameVerificationAlgorithm(tls.mode().verifiesHost() ? "HTTPS" : "");
    Optional<X509ExtendedTrustManager> trust = TlsContexts.trustManager(tls);
    if (trust.isPresent()) {
      ssl.setTrustOptions(TrustOptions.wrap(new RecordingTrustManager(trust.get())));
    } else {
      ssl.setTrustAll(true);
    }
    TlsContexts.keyManager(tls).ifPresent(key -> ssl.setKeyCertOptions(KeyCertOptions.wrap(key)));
    return options.setSslOptions(ssl);
  }

  /**
   * The failure of a connection made with {@code options}, with the certificate problem behind a
   * bare "SSL handshake failed" when pgvigil's trust manager saw one (see {@link RecordingTrustManager}).
   */
  public static Throwable explain(Throwable failure, PgConnectOptions options) {
    if (options.getSslOptions() == null || options.getSslOptions().getTrustOptions() == null
        || !String.valueOf(failure.getMessage()).contains("SSL handshake")) {
      return failure;
    }
    try {
      for (TrustManager manager : options.getSslOptions().getTrustOptions().getTrustManagerFactory(null)
          .getTrustManagers()) {
        if (manager instanceof RecordingTrustManager recording && recording.lastRejection().isPresent()) {
          return recording.lastRejection().get();
        }
      }
    } catch (Exception e) {
      // no better explanation than the failure itself
    }
    return failure;
  }
}

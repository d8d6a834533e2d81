package io.pgvigil.daemon.tls;

import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * TLS settings holding PEM text (given through {@code ${env:}} or {@code ${file:}}), handed to
 * pgjdbc by an opaque id. pgjdbc builds {@link PemSslSocketFactory} from its class name and the
 * connection's text properties only, and a private key must go neither to disk (a temporary file
 * outlives a SIGKILL, and the chart's /tmp outlives the container) nor into the JDBC URL (which
 * pgjdbc's debug log and pgvigil's messages print).
 *
 * <p>Static, against the house rule, because pgjdbc instantiates the factory by name: there is no
 * other way to reach it. One id per distinct settings, so the map does not grow with every
 * connection or every {@code HistorySources.database} call, only with the config's URLs.
 */
final class InlineTlsSettings {

  private static final ConcurrentMap<TlsSettings, String> IDS = new ConcurrentHashMap<>();
  private static final ConcurrentMap<String, TlsSettings> SETTINGS = new ConcurrentHashMap<>();

  private InlineTlsSettings() {}

  /** The id that stands for {@code tls}; the same settings always get the same id. */
  static String register(TlsSettings tls) {
    return IDS.computeIfAbsent(tls, settings -> {
      String id = "pgvigil-inline-tls-" + UUID.randomUUID();
      SETTINGS.put(id, settings);
      return id;
    });
  }

  static Optional<TlsSettings> lookup(String id) {
    return Optional.ofNullable(SETTINGS.get(id));
  }
}

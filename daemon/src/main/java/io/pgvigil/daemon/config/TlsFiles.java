package io.pgvigil.daemon.config;

import io.pgvigil.daemon.tls.PemMaterial;
import io.pgvigil.daemon.tls.PemSource;
import io.pgvigil.daemon.tls.TlsContexts;
import io.pgvigil.daemon.tls.TlsSettings;
import io.pgvigil.daemon.tls.TlsSetupException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;

/** Reads a URL's certificates and key at config time, so that a bad file is a config error, not a dead target. */
final class TlsFiles {

  private TlsFiles() {}

  /** PEM paths are relative to the config file, like the migration locations. */
  static DatabaseUrl resolve(DatabaseUrl url, Path baseDir) {
    DatabaseUrl resolved = url;
    for (String key : List.of("sslrootcert", "sslcert", "sslkey")) {
      String value = url.params().get(key);
      if (value != null && !PemSource.isPem(value) && !value.equals(TlsSettings.SYSTEM_ROOT_CERT)) {
        try {
          resolved = resolved.withParam(key, baseDir.resolve(value).normalize().toString());
        } catch (InvalidPathException e) {
          // left as written: reading it fails and says so
        }
      }
    }
    return resolved;
  }

  /** Whether sslrootcert, sslcert and sslkey can be used; each problem is reported on {@code node}. */
  static boolean usable(TlsSettings tls, ConfigNode node) {
    boolean usable = true;
    try {
      if (tls.rootCert().isPresent()) {
        PemMaterial.certificates(tls.rootCert().get(), "sslrootcert");
      }
    } catch (TlsSetupException e) {
      node.problem(e.getMessage());
      usable = false;
    }
    try {
      TlsContexts.keyManager(tls);
    } catch (TlsSetupException e) {
      node.problem(e.getMessage());
      usable = false;
    }
    return usable;
  }
}

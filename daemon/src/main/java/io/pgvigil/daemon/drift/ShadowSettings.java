package io.pgvigil.daemon.drift;

import io.pgvigil.checks.embedded.UnpackBundles;
import io.pgvigil.checks.history.HistoryDatabase;
import io.pgvigil.checks.shadow.Shadows;
import io.pgvigil.daemon.config.DatabaseUrl;
import io.pgvigil.daemon.config.ShadowConfig;
import io.pgvigil.daemon.tls.TlsSettings;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** Where expected schemas are built: an embedded server, or the operator's scratch server ({@code admin}). */
public record ShadowSettings(Optional<HistoryDatabase> admin, TlsSettings adminTls,
    Storage storage) {

  /**
   * Where the daemon writes: the unpacked PostgreSQL binaries, the embedded shadows' data,
   * (unless {@code alerts.spool.directory} says otherwise) the alert spool, and the state it keeps
   * across restarts (windows, alert state, silences). In Kubernetes all go
   * on an emptyDir ({@code PGVIGIL_DATA_DIR}); the root filesystem stays read-only.
   */
  public record Storage(Path binariesCache, Path shadowWork, Path alertSpool, Path state) {

    /**
     * {@code PGVIGIL_DATA_DIR}, else {@code <java.io.tmpdir>/pgvigil}; the binaries in {@code
     * PGVIGIL_POSTGRES_DIR} when set (the container image unpacks them there when it is built), unless
     * they are not usable there and it is not writable: then under the data directory, as without it.
     * Absolute and normalized once here, so that the checks that an unpacked path stays under its root (the
     * shadow cache's, the binaries' tar) compare like with like: {@code ./d} or {@code a/../d} would otherwise
     * refuse every file.
     */
    public static Storage fromEnvironment(Map<String, String> env) {
      String configured = env.get("PGVIGIL_DATA_DIR");
      Path root = absolute(configured == null || configured.isBlank()
          ? Path.of(System.getProperty("java.io.tmpdir"), "pgvigil") : Path.of(configured));
      String binaries = env.get("PGVIGIL_POSTGRES_DIR");
      Path unpacked = root.resolve("postgres");
      return new Storage(binaries == null || binaries.isBlank() ? unpacked
          : UnpackBundles.usableOr(absolute(Path.of(binaries)), unpacked),
          root.resolve("shadow"), root.resolve("spool"), root.resolve("state"));
    }

    private static Path absolute(Path path) {
      return path.toAbsolutePath().normalize();
    }

    /** Where {@code review} keeps replayed shadows between runs. */
    public Path shadowCache() {
      return shadowWork.resolveSibling("shadow-cache");
    }

    /** Where drift keeps expected schemas between runs (and daemon restarts). */
    public Path driftCache() {
      return shadowWork.resolveSibling("drift-cache");
    }
  }

  /**
   * pgvigil's version and the size and time of the jar (or classes directory) it runs from, for the keys of what is
   * kept between runs: every snapshot build has the same version, and a new build may replay differently.
   */
  public static String pgvigilBuild() {
    String version = ShadowSettings.class.getPackage().getImplementationVersion();
    String from = "";
    try {
      Path code = Path.of(ShadowSettings.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      from = "@" + Files.size(code) + "-" + Files.getLastModifiedTime(code).toMillis();
    } catch (IOException | URISyntaxException | RuntimeException e) {
      // an unknown build: the version alone
    }
    return (version == null ? "development" : version) + from;
  }

  public static ShadowSettings of(ShadowConfig config, Storage storage) {
    return new ShadowSettings(config.url().map(HistorySources::database),
        config.url().map(DatabaseUrl::tls).orElse(TlsSettings.PLAIN), storage);
  }

  public Shadows shadows() {
    return admin.map(Shadows::onServer)
        .orElseGet(() -> Shadows.embedded(storage.binariesCache(), storage.shadowWork()));
  }
}

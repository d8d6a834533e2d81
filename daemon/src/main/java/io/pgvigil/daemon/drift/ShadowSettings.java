package io.pgvigil.daemon.drift;

import io.pgvigil.checks.embedded.UnpackBundles;
import io.pgvigil.checks.history.HistoryDatabase;
import io.pgvigil.checks.schema.CatalogSnapshotter;
import io.pgvigil.checks.shadow.Shadows;
import io.pgvigil.daemon.config.DatabaseUrl;
import io.pgvigil.daemon.config.ShadowConfig;
import io.pgvigil.daemon.tls.TlsSettings;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

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

  private static volatile String build;

  /**
   * pgvigil's version and a digest of the code that replays and snapshots, for the keys of what is kept between runs:
   * every snapshot build has the same version, and a new build may replay or snapshot differently. From a jar, each
   * entry's name, size and CRC (its central directory: a download or a copy keeps them, unlike the file's time);
   * from class directories (a development build), each file's path, size and time. Computed once per process.
   */
  public static String pgvigilBuild() {
    String known = build;
    if (known != null) {
      return known;
    }
    String version = ShadowSettings.class.getPackage().getImplementationVersion();
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
    String code;
    try {
      // The daemon's code and the checks' (the snapshot, the replay): one jar when shaded, two directories in a build.
      for (Path source : new LinkedHashSet<>(List.of(codeSource(ShadowSettings.class),
          codeSource(CatalogSnapshotter.class)))) {
        fingerprint(source, digest);
      }
      code = "@" + HexFormat.of().formatHex(digest.digest()).substring(0, 16);
    } catch (IOException | URISyntaxException | RuntimeException e) {
      code = ""; // an unknown build: the version alone
    }
    build = (version == null ? "development" : version) + code;
    return build;
  }

  private static Path codeSource(Class<?> type) throws URISyntaxException {
    return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
  }

  private static void fingerprint(Path source, MessageDigest digest) throws IOException {
    if (Files.isDirectory(source)) {
      try (Stream<Path> files = Files.walk(source)) {
        for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
          digest.update((source.relativize(file) + "\0" + Files.size(file) + "\0"
              + Files.getLastModifiedTime(file).toMillis() + "\n").getBytes(StandardCharsets.UTF_8));
        }
      }
      return;
    }
    try (JarFile jar = new JarFile(source.toFile(), false)) {
      for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements();) {
        JarEntry entry = entries.nextElement();
        digest.update((entry.getName() + "\0" + entry.getSize() + "\0" + entry.getCrc() + "\n")
            .getBytes(StandardCharsets.UTF_8));
      }
    }
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

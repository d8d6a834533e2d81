package io.pgvigil.daemon.review;

import io.pgvigil.checks.shadow.ShadowCache;
import io.pgvigil.daemon.drift.ShadowSettings;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where {@code review} keeps replayed shadows: {@code shadow-cache} beside the shadows' work directory. */
final class ReviewShadowCache {

  private ReviewShadowCache() {}

  static ShadowCache of(ShadowSettings.Storage storage) {
    return new ShadowCache(storage.shadowWork().resolveSibling("shadow-cache"), build(), ShadowCache.DEFAULT_KEEP);
  }

  /**
   * pgvigil's version and the size and time of the jar (or classes directory) it runs from: every snapshot build
   * has the same version, and a new build may replay differently.
   */
  private static String build() {
    String version = ReviewShadowCache.class.getPackage().getImplementationVersion();
    String from = "";
    try {
      Path code = Path.of(ReviewShadowCache.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      from = "@" + Files.size(code) + "-" + Files.getLastModifiedTime(code).toMillis();
    } catch (IOException | URISyntaxException | RuntimeException e) {
      // an unknown build: the version alone
    }
    return (version == null ? "development" : version) + from;
  }
}

package io.pgvigil.daemon.review;

import io.pgvigil.checks.shadow.ShadowCache;
import io.pgvigil.daemon.drift.ShadowSettings;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.function.Consumer;

/**
 * Where {@code review} keeps replayed shadows: {@code shadow-cache} beside the shadows' work directory, by default
 * under the shared temp directory; so when another user owns it or may write to it, the review says so once and
 * replays without a cache.
 */
final class ReviewShadowCache {

  private ReviewShadowCache() {}

  /** Null (no cache) when the directory is not safe to use; {@code progress} is then told why. */
  static ShadowCache of(ShadowSettings.Storage storage, Clock clock, Consumer<String> progress) {
    ShadowCache cache = new ShadowCache(storage.shadowWork().resolveSibling("shadow-cache"), build(),
        ShadowCache.DEFAULT_KEEP, clock);
    String unsafe = cache.unsafe();
    if (unsafe != null) {
      progress.accept("not using the shadow cache: " + unsafe);
      return null;
    }
    return cache;
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

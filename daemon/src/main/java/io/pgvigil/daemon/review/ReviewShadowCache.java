package io.pgvigil.daemon.review;

import io.pgvigil.checks.shadow.ShadowCache;
import io.pgvigil.daemon.drift.ShadowSettings;
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
    ShadowCache cache = new ShadowCache(storage.shadowCache(), ShadowSettings.pgvigilBuild(),
        ShadowCache.DEFAULT_KEEP, clock);
    String unsafe = cache.unsafe();
    if (unsafe != null) {
      progress.accept("not using the shadow cache: " + unsafe);
      return null;
    }
    return cache;
  }
}

package io.pgvigil.checks.shadow;

import io.pgvigil.checks.history.MigrationSource;
import java.time.Duration;
import java.util.List;

/** {@link Shadows#replay(ShadowDatabase, MigrationSource, List, Duration)} with a timeout a test chooses. */
record HistoryReplay(Duration statementTimeout) {

  HistoryReplay() {
    this(Shadows.REPLAY_TIMEOUT);
  }

  int replay(ShadowDatabase shadow, MigrationSource source, List<String> applied) throws ReplayException {
    return Shadows.replay(shadow, source, applied, statementTimeout);
  }
}

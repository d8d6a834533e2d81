package io.pgvigil.checks.history;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.MigrationVersion;

/**
 * What a replay of a Flyway history runs: exactly the migrations the history table records as
 * applied successfully, in the order they were applied (installed_rank), each with its file as it
 * is now. Flyway's own migrate cannot do that on a fresh database: it would also run files that
 * live skipped (an IGNORED lower version added after a higher one was applied, outOfOrder=false)
 * and would run versions in version order even where live applied one out of order.
 */
final class FlywayApplied {

  /**
   * The states of an applied row that the live schema holds and whose file is here. SUPERSEDED is
   * an earlier run of a repeatable (its latest run stands for it), UNDONE was reverted, FAILED left
   * nothing behind (transactional) or is reported as history drift.
   */
  private static final Set<MigrationState> REPLAYED =
      Set.of(MigrationState.SUCCESS, MigrationState.OUT_OF_ORDER, MigrationState.OUTDATED, MigrationState.BASELINE);

  private FlywayApplied() {}

  /** The applied scripts, relative to their location, in installed_rank order. */
  static List<String> scripts(MigrationInfo[] infos) {
    List<MigrationInfo> applied = Arrays.stream(infos)
        .filter(info -> info.getInstalledRank() != null && REPLAYED.contains(info.getState()))
        .sorted(Comparator.comparing(MigrationInfo::getInstalledRank))
        .toList();
    List<String> scripts = new ArrayList<>();
    for (MigrationInfo info : applied) {
      if (info.getType().isSynthetic()) {
        if (info.getType().isBaseline() && info.getVersion() != null) {
          scripts.addAll(belowBaseline(infos, info.getVersion()));
        }
        continue; // the schema-creation marker row
      }
      scripts.add(info.getScript());
    }
    return scripts;
  }

  /**
   * A {@code flyway baseline} row stands for a schema made before Flyway: the versioned files up
   * to its version are how that schema came about, so a replay runs them where the row is.
   */
  private static List<String> belowBaseline(MigrationInfo[] infos, MigrationVersion baseline) {
    return Arrays.stream(infos)
        .filter(info -> info.getInstalledRank() == null && info.getVersion() != null
            && !info.getType().isBaseline() && info.getState().isResolved()
            && info.getVersion().compareTo(baseline) <= 0)
        .sorted(Comparator.comparing(MigrationInfo::getVersion))
        .map(MigrationInfo::getScript)
        .toList();
  }
}

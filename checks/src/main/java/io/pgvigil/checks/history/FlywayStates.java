package io.pgvigil.checks.history;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.MigrationVersion;

/** What each of Flyway's {@link MigrationState}s means for pgvigil: drift, and what a replay runs. */
final class FlywayStates {

  /**
   * The states of an applied row that the live schema holds and whose file is here. SUPERSEDED is
   * an earlier run of a repeatable (its latest run stands for it), UNDONE was reverted, FAILED left
   * nothing behind (transactional) or is reported as history drift.
   */
  private static final Set<MigrationState> REPLAYED =
      Set.of(MigrationState.SUCCESS, MigrationState.OUT_OF_ORDER, MigrationState.OUTDATED, MigrationState.BASELINE);

  private FlywayStates() {}

  /**
   * What a replay runs: exactly the scripts the history records as applied successfully, in
   * installed_rank order, each file as it is now. Flyway's own migrate cannot do that on a fresh
   * database: it would also run files live skipped (an IGNORED lower version added after a higher
   * one was applied, outOfOrder=false) and would run versions in version order even where live
   * applied one out of order.
   */
  static List<String> replayed(MigrationInfo[] infos) {
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

  /**
   * The problem one {@code info()} entry shows, or null. Checksum mismatches come from validate.
   *
   * @param latest the highest applied version, null if none
   */
  static HistoryProblem classify(MigrationInfo info, MigrationInfo[] all, String latest) {
    return switch (info.getState()) {
      case PENDING -> pending(info, all);
      case MISSING_SUCCESS -> problem(HistoryProblemKind.MISSING_FROM_REPOSITORY, info,
          "applied" + installed(info) + ", but no file in the migrations locations has this version");
      case MISSING_FAILED -> problem(HistoryProblemKind.FAILED, info,
          "failed" + installed(info) + ", and its file is no longer in the repository; repair the history "
              + "(flyway repair) once the database is fixed");
      case FAILED, FUTURE_FAILED -> problem(HistoryProblemKind.FAILED, info,
          "failed" + installed(info) + "; fix the database by hand, then run flyway repair");
      case IGNORED -> ignored(info, latest);
      case OUT_OF_ORDER -> problem(HistoryProblemKind.OUT_OF_ORDER, info,
          "applied" + installed(info) + " after a higher version (installed rank " + info.getInstalledRank()
              + "): it ran out of order");
      case OUTDATED -> problem(HistoryProblemKind.REPEATABLE_OUTDATED, info,
          "the file changed since it was applied" + installed(info) + " (checksum " + info.getAppliedChecksum()
              + " applied, " + info.getResolvedChecksum() + " now); the next migrate re-applies it");
      // FUTURE_SUCCESS: applied, newer than every file here; the files are behind the database
      // (a deploy ahead of pgvigil's copy), reported apart, not drift. Flyway's validate ignores
      // future migrations by default too (ignoreMigrationPatterns "*:future").
      // SUCCESS, BASELINE, BELOW_BASELINE, BASELINE_IGNORED, SUPERSEDED (an older run of a
      // repeatable), DELETED (hidden by flyway repair), UNDONE, AVAILABLE (undone, may be
      // re-applied; Teams only) and ABOVE_TARGET (pgvigil sets no target) are not drift.
      default -> null;
    };
  }

  /**
   * An outdated repeatable shows twice in info(): the applied run as OUTDATED and the file as
   * PENDING. It is reported once, as repeatable-outdated.
   */
  private static HistoryProblem pending(MigrationInfo info, MigrationInfo[] all) {
    if (info.isRepeatable() && Arrays.stream(all).anyMatch(other -> other != info
        && other.getState() == MigrationState.OUTDATED && other.getDescription().equals(info.getDescription()))) {
      return null;
    }
    return problem(HistoryProblemKind.PENDING, info, info.isRepeatable()
        ? "repeatable migration never applied" : "not applied yet; the next migrate applies it");
  }

  /**
   * IGNORED: resolved, never applied, lower than the latest applied version, so migrate skips it
   * unless outOfOrder=true. Baseline (B) migrations are the exception: Flyway applies them only
   * to an empty database and leaves them IGNORED afterwards, and validate does not flag them
   * (checked with 13.12), so adding a new B file is not drift.
   */
  private static HistoryProblem ignored(MigrationInfo info, String latest) {
    return info.getType().isBaseline() ? null : problem(HistoryProblemKind.OUT_OF_ORDER, info,
        "never applied, and lower than the latest applied version " + latest
            + ": migrate skips it unless outOfOrder is enabled");
  }

  static HistoryProblem problem(HistoryProblemKind kind, MigrationInfo info, String detail) {
    String version = info.getVersion() == null ? null : info.getVersion().getVersion();
    // An applied migration whose file is gone still has the script its history row names.
    String script = info.getScript();
    return new HistoryProblem(kind, version, info.getDescription(), script, detail);
  }

  private static String installed(MigrationInfo info) {
    return info.getInstalledOn() == null ? "" : " on " + info.getInstalledOn().toInstant();
  }
}

package io.pgvigil.checks.history;

import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;

/** What each of Flyway's {@link MigrationState}s means for pgvigil. */
final class FlywayStates {

  record Finding(HistoryProblemKind kind, String detail) {}

  private FlywayStates() {}

  /**
   * The problem one {@code info()} entry shows, or null when it shows none. Checksum mismatches
   * come from validate, not from here.
   *
   * @param latest the highest applied version, null if none
   */
  static Finding classify(MigrationInfo info, MigrationInfo[] all, String latest) {
    MigrationState state = info.getState();
    return switch (state) {
      case PENDING -> pending(info, all);
      case MISSING_SUCCESS -> new Finding(HistoryProblemKind.MISSING_FROM_REPOSITORY,
          "applied" + installed(info) + ", but no file in the migrations locations has this version");
      case MISSING_FAILED -> new Finding(HistoryProblemKind.FAILED,
          "failed" + installed(info) + ", and its file is no longer in the repository; repair the history "
              + "(flyway repair) once the database is fixed");
      case FAILED, FUTURE_FAILED -> new Finding(HistoryProblemKind.FAILED,
          "failed" + installed(info) + "; fix the database by hand, then run flyway repair");
      case IGNORED -> ignored(info, latest);
      case OUT_OF_ORDER -> new Finding(HistoryProblemKind.OUT_OF_ORDER,
          "applied" + installed(info) + " after a higher version (installed rank " + info.getInstalledRank()
              + "): it ran out of order");
      case OUTDATED -> new Finding(HistoryProblemKind.REPEATABLE_OUTDATED,
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
  private static Finding pending(MigrationInfo info, MigrationInfo[] all) {
    if (info.isRepeatable()) {
      for (MigrationInfo other : all) {
        if (other != info && other.getState() == MigrationState.OUTDATED
            && other.getDescription().equals(info.getDescription())) {
          return null;
        }
      }
    }
    return new Finding(HistoryProblemKind.PENDING, info.isRepeatable()
        ? "repeatable migration never applied" : "not applied yet; the next migrate applies it");
  }

  /**
   * IGNORED: resolved, never applied, lower than the latest applied version, so migrate skips it
   * unless outOfOrder=true. Baseline (B) migrations are the exception: Flyway applies them only
   * to an empty database and leaves them IGNORED afterwards, and validate does not flag them
   * (checked with 13.12), so adding a new B file is not drift.
   */
  private static Finding ignored(MigrationInfo info, String latest) {
    if (info.getType().isBaseline()) {
      return null;
    }
    return new Finding(HistoryProblemKind.OUT_OF_ORDER, "never applied, and lower than the latest applied version "
        + latest + ": migrate skips it unless outOfOrder is enabled");
  }

  private static String installed(MigrationInfo info) {
    return info.getInstalledOn() == null ? "" : " on " + info.getInstalledOn().toInstant();
  }
}

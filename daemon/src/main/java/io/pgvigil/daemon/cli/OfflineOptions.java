package io.pgvigil.daemon.cli;

import io.pgvigil.checks.embedded.EmbeddedPostgres;
import io.pgvigil.checks.history.OfflineHistory;
import io.pgvigil.daemon.config.ShadowConfig;
import io.pgvigil.daemon.config.TargetConfig;
import io.pgvigil.daemon.review.ReviewMode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import picocli.CommandLine.Option;

/** {@code review}'s options for CI without production access, and {@code --no-cache}. */
final class OfflineOptions {

  @Option(names = "--offline", description = "Do not connect to the target: the applied history is the "
      + "repository's files (--applied-through or --applied-from-git) and the shadow runs --pg-major. Data-aware "
      + "probes and live sizes are skipped, and the report says so.")
  boolean offline;

  @Option(names = "--pg-major", paramLabel = "N", description = "With --offline: the target's PostgreSQL major "
      + "(the embedded shadow bundles 14 to 18; shadow.mode url needs a scratch server of that major).")
  Integer pgMajor;

  @Option(names = "--applied-through", paramLabel = "MIGRATION", description = "With --offline: every migration up "
      + "to and including this one is applied, the later ones are pending (a Flyway version such as V41, or a "
      + "Prisma migration directory's name).")
  String appliedThrough;

  @Option(names = "--applied-from-git", paramLabel = "REF", description = "With --offline: the migrations present "
      + "at this git commit (e.g. origin/main) are applied, the ones added since are pending.")
  String appliedFromGit;

  @Option(names = "--no-cache", description = "Replay the applied history even when an earlier run saved the "
      + "replayed shadow (in $PGVIGIL_DATA_DIR/shadow-cache).")
  boolean noCache;

  /** The mode, or null after saying every problem with these options on {@code err}. */
  ReviewMode mode(List<TargetConfig> targets, PrintWriter err) {
    List<String> problems = new ArrayList<>();
    if (!offline) {
      for (String given : List.of(pgMajor == null ? "" : "--pg-major",
          appliedThrough == null ? "" : "--applied-through",
          appliedFromGit == null ? "" : "--applied-from-git")) {
        if (!given.isEmpty()) {
          problems.add(given + " is only for --offline (online, the target itself says its major and history)");
        }
      }
    } else {
      if (pgMajor == null) {
        problems.add("--offline needs --pg-major N, the target's PostgreSQL major");
      } else if (!EmbeddedPostgres.bundledMajors().contains(pgMajor)
          && targets.stream().anyMatch(t -> t.shadow().mode() == ShadowConfig.Mode.EMBEDDED)) {
        problems.add("--pg-major " + pgMajor + " is not a major pgvigil bundles for the embedded shadow ("
            + EmbeddedPostgres.bundledMajors().stream().map(String::valueOf).collect(Collectors.joining(", "))
            + "); use shadow.mode: url with a scratch PostgreSQL " + pgMajor + " server");
      }
      if ((appliedThrough == null) == (appliedFromGit == null)) {
        problems.add("--offline needs one of --applied-through MIGRATION and --applied-from-git REF, to tell the "
            + "applied migrations from the pending ones");
      }
    }
    if (!problems.isEmpty()) {
      problems.forEach(p -> err.println("error: " + p));
      err.flush();
      return null;
    }
    if (!offline) {
      return new ReviewMode(Optional.empty(), !noCache);
    }
    OfflineHistory.Basis basis = appliedThrough != null ? new OfflineHistory.Through(appliedThrough)
        : new OfflineHistory.AtGitRef(appliedFromGit);
    return new ReviewMode(Optional.of(new ReviewMode.Offline(pgMajor, basis)), !noCache);
  }
}

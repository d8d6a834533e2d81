package io.pgvigil.daemon.cli;

import io.pgvigil.checks.review.Level;
import io.pgvigil.daemon.config.TargetConfig;
import io.pgvigil.daemon.drift.ShadowSettings;
import io.pgvigil.daemon.review.ReviewGithub;
import io.pgvigil.daemon.review.ReviewJson;
import io.pgvigil.daemon.review.ReviewMode;
import io.pgvigil.daemon.review.ReviewRun;
import io.pgvigil.daemon.review.ReviewText;
import io.pgvigil.daemon.review.TargetReview;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "review", mixinStandardHelpOptions = true,
    description = {
        "Pre-flight review of pending migrations, for CI. For each target with migrations (Flyway or Prisma), the "
            + "applied history is replayed into a shadow PostgreSQL of the target's major (embedded, or shadow.mode: "
            + "url), then each pending migration runs there statement by statement in a transaction, and what each "
            + "statement does is recorded: the locks it holds on tables that existed before the migration, tables it "
            + "rewrites, empties or updates in one statement, constraints it validates, columns it makes NOT NULL or "
            + "nullable, drops or renames, indexes and partitions it drops or detaches without CONCURRENTLY, its own "
            + "BEGIN and COMMIT, and the lock_timeout in force. The target itself is only read (with --offline it is "
            + "not contacted at all): its history and major, then (or on the replica review.readFrom names) read-only questions under review.probeTimeout that the empty "
            + "shadow cannot answer (any row, NULL, duplicate or CHECK violation that makes a statement fail) and the "
            + "size of each table concerned.",
        "Findings are 'block' (blocks reads or writes for as long as the table is big) or "
            + "'flag' (safe only under conditions the review cannot see). A block on a table under both "
            + "review.budgets (rewriteBytes, and lockedSeconds for its size at review.throughput) is a flag; "
            + "a statement that live rows make fail is migration-fails. A question that needs longer than "
            + "review.probeTimeout is 'not checked', never a pass.",
        "A comment '-- pgvigil:ignore <rule> <reason>' on its own line before a statement accepts that rule's "
            + "findings on it: they are reported as suppressed and never change the exit code. One that names no "
            + "rule, gives no reason, follows code on its line or names migration-fails (the migrations after a "
            + "failing one are not reviewed) is itself a block finding (invalid-suppression).",
        "Progress goes to stderr (with --verbose, each line with the seconds since start); the report to stdout. "
            + "Embedded shadows go to $PGVIGIL_DATA_DIR (default: the temp directory), their PostgreSQL binaries to "
            + "$PGVIGIL_POSTGRES_DIR when set (the container image has them there), else the data directory; a "
            + "replayed embedded shadow is kept in $PGVIGIL_DATA_DIR/shadow-cache for the next review of the same "
            + "applied history (the 4 used last; --no-cache replays anyway)."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:pass (no finding at the --fail-on level)", "2:a finding at the --fail-on level",
        "1:error (a target could not be reviewed, bad config, unknown target)"})
final class ReviewCommand implements Callable<Integer> {

  enum Format { text, markdown, json, sarif, github }

  enum FailOn {
    block(Level.BLOCK), flag(Level.FLAG);

    final Level level;

    FailOn(Level level) {
      this.level = level;
    }
  }

  @Mixin
  TargetSelection targets;

  @Option(names = "--format", defaultValue = "text", paramLabel = "FORMAT",
      description = "text, markdown (a pull-request comment), json, sarif (SARIF 2.1.0, for code scanning) or github "
          + "(GitHub Actions ::error/::warning annotations; run from the repository root) "
          + "(default: ${DEFAULT-VALUE}).")
  Format format;

  @Option(names = "--fail-on", defaultValue = "block", paramLabel = "LEVEL",
      description = "block: exit 2 on any block finding; flag: on any finding (default: ${DEFAULT-VALUE}).")
  FailOn failOn;

  @Mixin
  OfflineOptions offline;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "Where embedded shadows, unpacked binaries and the "
      + "shadow cache go (default: $PGVIGIL_DATA_DIR, else pgvigil in the temp directory).")
  Path dataDir;

  @Mixin
  Console console;

  @Override
  public Integer call() {
    PrintWriter out = console.out();
    PrintWriter err = console.err();
    List<TargetConfig> selected = targets.select("there are no pending migrations to review", err);
    if (selected == null) {
      return ExitCode.ERROR;
    }
    ReviewMode mode = offline.mode(selected, err);
    if (mode == null) {
      return ExitCode.ERROR;
    }
    Map<String, String> env = new HashMap<>(System.getenv());
    if (dataDir != null) {
      env.put("PGVIGIL_DATA_DIR", dataDir.toString());
    }
    ShadowSettings.Storage storage = ShadowSettings.Storage.fromEnvironment(env);
    Consumer<String> progress = Progress.to(err, console.verbose);
    List<TargetReview> reviews = new ArrayList<>();
    for (TargetConfig t : selected) {
      progress.accept("reviewing " + t.name() + (mode.offline().isPresent() ? " offline" : " (" + t.url().redacted()
          + ")") + " ...");
      reviews.add(new ReviewRun(storage, t, progress, Clock.systemUTC(), mode).review(t));
    }
    boolean error = reviews.stream().anyMatch(r -> r.error().isPresent());
    boolean failed = reviews.stream().flatMap(r -> r.findings().stream())
        .anyMatch(f -> !f.suppressed() && (failOn.level == Level.FLAG || f.level() == Level.BLOCK));
    switch (format) {
      case json -> out.println(ReviewJson.of(reviews, failOn.level, !error && !failed).encodePrettily());
      case sarif -> out.println(ReviewJson.sarif(reviews, new Version().getVersion()[0].replace("pgvigil ", ""))
          .encodePrettily());
      case markdown -> ReviewText.markdown(reviews, failOn.level, !error && !failed, out);
      case github -> ReviewGithub.print(reviews, failOn.level, !error && !failed, out);
      default -> ReviewText.print(reviews, failOn.level, !error && !failed, out);
    }
    out.flush();
    if (error) {
      reviews.stream().filter(r -> r.error().isPresent())
          .forEach(r -> err.println("error: " + r.target() + ": " + r.error().get()));
      err.flush();
      return ExitCode.ERROR;
    }
    return failed ? ExitCode.FINDINGS : ExitCode.OK;
  }
}

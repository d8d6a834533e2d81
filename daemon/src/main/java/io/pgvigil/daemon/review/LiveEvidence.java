package io.pgvigil.daemon.review;

import io.pgvigil.checks.history.HistoryDatabase;
import io.pgvigil.checks.review.DataQuestion;
import io.pgvigil.checks.review.Finding;
import io.pgvigil.checks.review.Hazard;
import io.pgvigil.checks.review.MigrationReview;
import io.pgvigil.daemon.config.DatabaseUrl;
import io.pgvigil.daemon.config.TargetConfig;
import io.pgvigil.daemon.drift.HistorySources;
import io.pgvigil.daemon.review.LiveReport.Outcome;
import io.pgvigil.daemon.review.LiveReport.Probe;
import io.pgvigil.daemon.review.LiveReport.TableSize;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The review's second look, at the live database (or the replica {@code review.readFrom} names): asks each data
 * question the shadow raised ({@link LiveProbes}) and reads the size of every table a finding concerns, then makes
 * a failing answer a {@code migration-fails} finding that says it comes from live data, and grades the other
 * findings by size ({@link SizeGrade}). Blocking (JDBC).
 */
public final class LiveEvidence {

  private LiveEvidence() {}

  /** {@code review} with the live evidence; unchanged but for an empty live report when there is nothing to ask. */
  public static TargetReview apply(TargetConfig target, TargetReview review, Consumer<String> progress)
      throws LiveDataException {
    String readFrom = target.review().readFrom().orElse("target");
    List<DataQuestion> questions = review.migrations().stream().flatMap(m -> m.statements().stream())
        .flatMap(s -> s.questions().stream()).toList();
    Set<String> tables = new LinkedHashSet<>();
    // By live's name: a later migration's finding names a table as it is then, after an earlier one renamed it.
    review.migrations().forEach(m -> m.findings().stream().map(Finding::table).filter(t -> t != null)
        .forEach(t -> tables.add(m.liveName(t))));
    questions.forEach(q -> tables.add(q.table()));
    if (tables.isEmpty()) {
      return review.withLive(new LiveReport(readFrom, target.review(), List.of(), List.of()));
    }
    Optional<DatabaseUrl> replica = target.review().readFrom()
        .flatMap(name -> target.replicas().stream().filter(r -> r.name().equals(name)).findFirst())
        .map(TargetConfig.ReplicaConfig::url);
    if (target.review().readFrom().isPresent() && replica.isEmpty()) {
      // Config validation names it, and rejects readFrom on a server-level target.
      throw new LiveDataException("review.readFrom names " + readFrom + ", which target " + target.name()
          + " does not have among its replicas", null);
    }
    DatabaseUrl url = replica.orElse(target.url());
    HistoryDatabase database = HistorySources.database(url);
    List<Probe> probes = new ArrayList<>();
    Map<String, TableSize> sizes;
    progress.accept("reading live sizes and data from " + readFrom + " (" + url.redacted() + ")");
    try (LiveProbes live = LiveProbes.open(database, target.review().probeTimeout(), target.connectTimeout())) {
      sizes = live.sizes(List.copyOf(tables));
      for (DataQuestion q : questions) {
        Probe probe = q.asked() ? live.ask(q, sizes.get(q.table()))
            : new Probe(q, Outcome.NOT_CHECKED, "not checked: " + q.notAsked(), 0);
        progress.accept(q.file() + " statement " + q.statement() + ": " + q.question() + " " + probe.detail()
            + (q.asked() ? " (" + probe.millis() + " ms)" : ""));
        probes.add(probe);
      }
    } catch (SQLException e) {
      String state = e.getSQLState() == null ? "" : e.getSQLState();
      boolean connecting = state.startsWith("08") || state.startsWith("28") || state.equals("3D000");
      throw new LiveDataException("cannot read live data from " + readFrom + " at " + url.redacted() + ": "
          + String.valueOf(e.getMessage()).lines().findFirst().orElse("").strip()
          + (state.isEmpty() ? "" : " (SQLSTATE " + state + ")")
          + (connecting ? "; check the url and that the role may connect (review.readFrom chooses where)" : ""), e);
    }
    List<MigrationReview> migrations = review.migrations().stream()
        .map(m -> withEvidence(m, readFrom, probes, sizes, target)).toList();
    return new TargetReview(review.target(), review.tool(), review.applied(), migrations, review.shadow(),
        review.error()).withLive(new LiveReport(readFrom, target.review(), probes, List.copyOf(sizes.values())));
  }

  private static MigrationReview withEvidence(MigrationReview m, String readFrom, List<Probe> probes,
      Map<String, TableSize> sizes, TargetConfig target) {
    List<Finding> findings = new ArrayList<>();
    for (Finding f : m.findings()) {
      findings.add(f.table() == null ? f
          : SizeGrade.grade(f, sizes.get(m.liveName(f.table())), m.newTables().contains(f.table()),
              target.review()));
    }
    List<String> notes = new ArrayList<>(m.notes());
    for (Probe p : probes) {
      DataQuestion q = p.question();
      if (!q.file().equals(m.file())) {
        continue;
      }
      if (p.outcome() == Outcome.FAILS) {
        findings.add(new Finding(Hazard.MIGRATION_FAILS, q.file(), q.statement(), q.line(), q.table(), q.object(),
            null, "on live data (read from " + readFrom + "): " + q.failure() + rows(q, sizes.get(q.table()))));
      } else if (p.outcome() == Outcome.NOT_CHECKED) {
        notes.add("statement " + q.statement() + ": " + q.question() + " " + p.detail());
      }
    }
    findings.sort(Comparator.comparingInt(Finding::statement));
    return new MigrationReview(m.file(), m.reviewed(), m.statements(), findings, notes, m.liveNames(),
        m.newTables());
  }

  /** For "has rows": the planner's estimate when there is one (a count bound, never the rows). */
  private static String rows(DataQuestion q, TableSize size) {
    return q.kind() == DataQuestion.Kind.ANY_ROW && size != null && size.rows() > 0
        ? " (" + SizeGrade.rows(size) + ")" : "";
  }

  /** The live database could not be read: the review of the target is an error, never a pass. */
  public static final class LiveDataException extends Exception {
    private static final long serialVersionUID = 1L;

    LiveDataException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}

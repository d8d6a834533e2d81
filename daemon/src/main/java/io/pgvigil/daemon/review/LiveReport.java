package io.pgvigil.daemon.review;

import io.pgvigil.checks.review.DataQuestion;
import io.pgvigil.daemon.config.ReviewConfig;
import java.util.List;

/**
 * What the review read from the live database: the answer to each data question and the size of each table a finding
 * concerns.
 *
 * @param readFrom {@code target}, or the name of the replica ({@code review.readFrom}) the questions went to
 */
public record LiveReport(String readFrom, ReviewConfig config, List<Probe> probes, List<TableSize> tables) {

  public LiveReport {
    probes = List.copyOf(probes);
    tables = List.copyOf(tables);
  }

  /** How a question was answered. */
  public enum Outcome {
    /** A row came back: the statement fails at deploy. */
    FAILS,
    /** No row: the statement does not fail on these rows. */
    PASSES,
    /** Not asked, or no answer in time: neither a pass nor a failure. */
    NOT_CHECKED;

    public String id() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
  }

  /**
   * One question and its answer.
   *
   * @param detail  why it was not checked, or what was found (a count bound, never a row's contents)
   * @param millis  how long the question took on live; 0 when not asked
   */
  public record Probe(DataQuestion question, Outcome outcome, String detail, long millis) {}

  /**
   * A table's size on live, from {@code pg_class} (partitions summed).
   *
   * @param present false when live has no such table (a pending migration creates it)
   * @param bytes   {@code pg_total_relation_size}: heap, indexes and TOAST
   * @param rows    {@code reltuples}, the planner's estimate; negative when never analyzed
   * @param notRead why the size could not be read (a lock not granted in time); null when it was
   */
  public record TableSize(String table, boolean present, long bytes, long pages, double rows, String notRead) {

    public TableSize(String table, boolean present, long bytes, long pages, double rows) {
      this(table, present, bytes, pages, rows, null);
    }

    static TableSize notRead(String table, String why) {
      return new TableSize(table, true, 0, 0, -1, why);
    }
  }
}

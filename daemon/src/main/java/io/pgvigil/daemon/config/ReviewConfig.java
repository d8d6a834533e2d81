package io.pgvigil.daemon.config;

import java.time.Duration;
import java.util.Optional;

/**
 * How {@code pgvigil review} reads the live database: where its bounded read-only questions go ({@code readFrom}: a
 * replica's name, else the target), how long each may take, and the budgets that decide whether a statement that
 * rewrites, scans or locks a live table blocks the deploy or is only flagged.
 *
 * @param readFrom      a name from the target's {@code replicas}; empty: the target itself
 * @param probeTimeout  statement_timeout of each question; a question that needs longer is "not checked"
 * @param lockedSeconds the longest estimated rewrite or scan (bytes / throughput) below which a finding is a flag
 * @param rewriteBytes  the largest table (heap, indexes and TOAST) below which a finding is a flag
 * @param throughput    bytes per second a rewrite or scan is assumed to go through (BENCHMARKS.md, "Rewrite speed")
 */
public record ReviewConfig(Optional<String> readFrom, Duration probeTimeout, Duration lockedSeconds,
    long rewriteBytes, long throughput) {

  public static final Duration DEFAULT_PROBE_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration DEFAULT_LOCKED = Duration.ofSeconds(2);
  public static final long DEFAULT_REWRITE_BYTES = 1L << 30;
  /** Measured on the 2-core development machine and rounded down: BENCHMARKS.md, "Rewrite speed". */
  public static final long DEFAULT_THROUGHPUT = 50L << 20;

  public static final ReviewConfig DEFAULT = new ReviewConfig(Optional.empty(), DEFAULT_PROBE_TIMEOUT,
      DEFAULT_LOCKED, DEFAULT_REWRITE_BYTES, DEFAULT_THROUGHPUT);
}

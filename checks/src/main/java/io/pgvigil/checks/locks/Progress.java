package io.pgvigil.checks.locks;

/**
 * Progress of an index build ({@code pg_stat_progress_create_index}) or of CLUSTER / VACUUM FULL
 * ({@code pg_stat_progress_cluster}).
 *
 * @param command     {@code CREATE INDEX CONCURRENTLY}, {@code REINDEX}, {@code CLUSTER}, {@code VACUUM FULL}, …
 * @param phase       the view's phase, e.g. {@code building index: scanning table}
 * @param blocksDone  blocks processed in the current phase (heap blocks scanned for CLUSTER), or null
 * @param tuplesDone  tuples processed (heap tuples scanned for CLUSTER), or null
 * @param index       the index being built (or used by CLUSTER), schema-qualified; null when not yet visible
 * @param percent     done in the current phase, 0–100, from blocks else tuples; null when neither is known
 */
public record Progress(String command, String phase, Long blocksDone, Long blocksTotal, Long tuplesDone,
    Long tuplesTotal, String relation, String index, Double percent) {

  public static Progress of(String command, String phase, Long blocksDone, Long blocksTotal,
      Long tuplesDone, Long tuplesTotal, String relation, String index) {
    return new Progress(command, phase, blocksDone, blocksTotal, tuplesDone, tuplesTotal, relation, index,
        percent(blocksDone, blocksTotal, tuplesDone, tuplesTotal));
  }

  private static Double percent(Long blocksDone, Long blocksTotal, Long tuplesDone, Long tuplesTotal) {
    if (blocksDone != null && blocksTotal != null && blocksTotal > 0) {
      return Math.min(100.0, 100.0 * blocksDone / blocksTotal);
    }
    if (tuplesDone != null && tuplesTotal != null && tuplesTotal > 0) {
      return Math.min(100.0, 100.0 * tuplesDone / tuplesTotal);
    }
    return null;
  }
}

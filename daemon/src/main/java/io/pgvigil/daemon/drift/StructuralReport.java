package io.pgvigil.daemon.drift;

import io.pgvigil.checks.schema.SchemaFinding;
import java.time.Instant;
import java.util.List;

/**
 * The structural half of a drift verdict: the live catalog against the schema
 * the applied history produces when replayed into a shadow.
 *
 * @param expectedFrom how the expected schema was made, for people ("replay of 12 Flyway
 *                     migrations up to 11 on an embedded PostgreSQL 17 shadow")
 * @param cached       the expected schema came from the cache (the history had not changed)
 * @param objects      objects compared in the live schema
 * @param stale        a migration was running, so this is the previous verdict, kept
 */
public record StructuralReport(List<SchemaFinding> findings, String expectedFrom, boolean cached,
    int objects, Instant checkedAt, boolean stale) {

  public StructuralReport {
    findings = List.copyOf(findings);
  }

  StructuralReport asStale() {
    return new StructuralReport(findings, expectedFrom, cached, objects, checkedAt, true);
  }
}

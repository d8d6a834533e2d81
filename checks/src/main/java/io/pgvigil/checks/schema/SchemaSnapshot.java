package io.pgvigil.checks.schema;

import java.util.Collections;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The schema of one database as its catalog describes it, taken in one transaction.
 * Only compare snapshots taken on the same PostgreSQL major: deparsed texts differ between majors.
 *
 * @param serverVersionNum {@code server_version_num} of the server it was taken on
 * @param queries          statements the snapshot sent, transaction control included
 */
public record SchemaSnapshot(int serverVersionNum, SortedMap<ObjectRef, CatalogObject> objects, int queries) {

  public SchemaSnapshot {
    objects = Collections.unmodifiableSortedMap(new TreeMap<>(objects));
  }

  public int major() {
    return serverVersionNum / 10_000;
  }

  public Optional<CatalogObject> get(ObjectRef ref) {
    return Optional.ofNullable(objects.get(ref));
  }
}

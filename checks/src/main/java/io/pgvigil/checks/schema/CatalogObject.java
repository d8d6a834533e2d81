package io.pgvigil.checks.schema;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One object of a snapshot.
 *
 * @param owners     what it hangs off: a column's table, an index's table (and the constraint it
 *                   backs, or the partitioned index it is attached to), a partition's parent table.
 *                   Used to drop everything under an ignored or excluded object, and to report a
 *                   missing table once rather than once per column
 * @param sqlName    its name as SQL spells it ({@code quote_ident} rules), schema-qualified where
 *                   SQL qualifies it; for columns, constraints, triggers and policies only the
 *                   object's own name, as SQL puts the table beside it; null for comments and grants
 * @param attributes what is compared: deparsed definitions and flags, never OIDs, sizes, owners or
 *                   current values; absent attributes are left out rather than stored as null;
 *                   sorted by name
 * @param position   where SQL lists it among its owner's parts (a column's attnum), 0 where that means nothing;
 *                   never compared: a column dropped and added again moves to the end without changing the schema.
 *                   Only a CREATE TABLE suggested for a missing table lists columns in this order
 */
public record CatalogObject(ObjectRef ref, List<ObjectRef> owners, String sqlName, Map<String, String> attributes,
    int position) {

  public CatalogObject {
    owners = List.copyOf(owners);
    attributes = Collections.unmodifiableSortedMap(new TreeMap<>(attributes));
  }

  public CatalogObject(ObjectRef ref, List<ObjectRef> owners, String sqlName, Map<String, String> attributes) {
    this(ref, owners, sqlName, attributes, 0);
  }

  public String attribute(String name) {
    return attributes.get(name);
  }
}

package io.pgvigil.checks.schema;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a suggested statement may look up beyond its own object: the object's owners (its table, to name it), and for
 * an object missing as a whole (a table, a materialized view) the parts the expected schema hangs off it, which the
 * diff does not report again.
 */
final class FixContext {

  private final FixStyle style;
  private final SchemaSnapshot expected;
  private final SchemaSnapshot actual;
  /** The expected schema's objects by each of their owners; built on first use (only a missing whole needs it). */
  private Map<ObjectRef, List<CatalogObject>> parts;

  FixContext(FixStyle style, SchemaSnapshot expected, SchemaSnapshot actual) {
    this.style = style;
    this.expected = expected;
    this.actual = actual;
  }

  FixStyle style() {
    return style;
  }

  boolean live() {
    return style == FixStyle.LIVE;
  }

  /** The PostgreSQL major both snapshots come from. */
  int major() {
    return expected.major();
  }

  Optional<CatalogObject> lookup(ObjectRef ref) {
    return expected.get(ref).or(() -> actual.get(ref));
  }

  /** The expected objects of this kind that name {@code owner} as an owner, in SQL's order, then by name. */
  List<CatalogObject> parts(ObjectRef owner, ObjectKind kind) {
    if (parts == null) {
      parts = new HashMap<>();
      for (CatalogObject object : expected.objects().values()) {
        for (ObjectRef by : object.owners()) {
          parts.computeIfAbsent(by, o -> new ArrayList<>()).add(object);
        }
      }
    }
    return parts.getOrDefault(owner, List.of()).stream().filter(o -> o.ref().kind() == kind)
        .sorted(Comparator.comparingInt(CatalogObject::position).thenComparing(CatalogObject::ref)).toList();
  }

  /** Whether the expected object has more owners than its first: a copy PostgreSQL keeps on a partition. */
  static boolean copied(CatalogObject object) {
    return object.owners().size() > 1 && object.owners().get(1).kind() == object.ref().kind();
  }
}

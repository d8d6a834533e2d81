package io.pgvigil.checks.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The diff's rules on hand-made snapshots; {@link SchemaDiffIT} checks them against real catalogs. */
class SchemaDiffTest {

  private static final ObjectRef TABLE = new ObjectRef(ObjectKind.TABLE, "public.orders");
  private static final ObjectRef COLUMN = new ObjectRef(ObjectKind.COLUMN, "public.orders.status");
  private static final ObjectRef PKEY = new ObjectRef(ObjectKind.CONSTRAINT, "public.orders.orders_pkey");
  private static final ObjectRef PKEY_INDEX = new ObjectRef(ObjectKind.INDEX, "public.orders_pkey");

  private final SchemaDiff diff = new SchemaDiff();

  @Test
  void reportsAMissingTableOnceNotForEachPart() {
    SchemaSnapshot expected = snapshot(170000, table(Map.of()), column("text"), pkey("PRIMARY KEY (id)"),
        pkeyIndex("CREATE UNIQUE INDEX orders_pkey ON public.orders USING btree (id)"));
    SchemaSnapshot actual = snapshot(170000);

    assertThat(diff.compare(expected, actual)).extracting(SchemaFinding::object).containsExactly(TABLE);
  }

  @Test
  void reportsAChangedConstraintAndNotTheIndexBehindIt() {
    SchemaSnapshot expected = snapshot(170000, table(Map.of()), pkey("PRIMARY KEY (id)"),
        pkeyIndex("CREATE UNIQUE INDEX orders_pkey ON public.orders USING btree (id)"));
    SchemaSnapshot actual = snapshot(170000, table(Map.of()), pkey("PRIMARY KEY (id, tenant)"),
        pkeyIndex("CREATE UNIQUE INDEX orders_pkey ON public.orders USING btree (id, tenant)"));

    List<SchemaFinding> findings = diff.compare(expected, actual);

    assertThat(findings).extracting(SchemaFinding::object).containsExactly(PKEY);
    assertThat(findings.get(0).detail()).isEqualTo("definition: PRIMARY KEY (id) → PRIMARY KEY (id, tenant)");
  }

  @Test
  void keepsReportingColumnsOfAChangedTable() {
    SchemaSnapshot expected = snapshot(170000, table(Map.of("rls_enabled", "true")), column("text"));
    SchemaSnapshot actual = snapshot(170000, table(Map.of("rls_enabled", "false")), column("varchar(10)"));

    List<SchemaFinding> findings = diff.compare(expected, actual);

    assertThat(findings).extracting(SchemaFinding::object).containsExactly(TABLE, COLUMN);
    assertThat(findings).extracting(SchemaFinding::severity).containsExactly(Severity.SECURITY, Severity.INTEGRITY);
  }

  @Test
  void refusesToCompareSnapshotsOfDifferentMajors() {
    assertThatThrownBy(() -> diff.compare(snapshot(160004), snapshot(170009)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PostgreSQL 16 and 17");
  }

  @Test
  void ranksStorageParametersAsPerformanceAndSeveritiesMostSevereFirst() {
    SchemaSnapshot expected = snapshot(170000, table(Map.of("options", "fillfactor=90")));
    SchemaSnapshot actual = snapshot(170000, table(Map.of("options", "fillfactor=70")));

    assertThat(diff.compare(expected, actual)).extracting(SchemaFinding::severity)
        .containsExactly(Severity.PERFORMANCE);
    assertThat(Severity.SECURITY).isLessThanOrEqualTo(Severity.INTEGRITY);
    assertThat(Severity.COSMETIC).isGreaterThan(Severity.PERFORMANCE);
  }

  private static CatalogObject table(Map<String, String> attributes) {
    return new CatalogObject(TABLE, List.of(), "public.orders", attributes);
  }

  private static CatalogObject column(String type) {
    return new CatalogObject(COLUMN, List.of(TABLE), "status", Map.of("type", type));
  }

  private static CatalogObject pkey(String definition) {
    return new CatalogObject(PKEY, List.of(TABLE), "orders_pkey",
        Map.of("definition", definition, "type", "primary key"));
  }

  private static CatalogObject pkeyIndex(String definition) {
    return new CatalogObject(PKEY_INDEX, List.of(TABLE, PKEY), "public.orders_pkey",
        Map.of("definition", definition, "valid", "true"));
  }

  private static SchemaSnapshot snapshot(int versionNum, CatalogObject... objects) {
    TreeMap<ObjectRef, CatalogObject> map = new TreeMap<>();
    for (CatalogObject object : objects) {
      map.put(object.ref(), object);
    }
    return new SchemaSnapshot(versionNum, map, 0);
  }
}

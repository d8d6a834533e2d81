package io.pgvigil.checks.shadow;

import static io.pgvigil.checks.shadow.ShadowFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgvigil.checks.history.MigrationSource;
import io.pgvigil.checks.history.MigrationTool;
import io.pgvigil.checks.schema.ComparedKind;
import io.pgvigil.checks.schema.SnapshotOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExpectedSchemaCacheTest {

  @TempDir
  Path dir;

  private MigrationSource.Flyway flyway() {
    return new MigrationSource.Flyway(List.of(dir), "flyway_schema_history", List.of("public"),
        false);
  }

  private ExpectedSchemaCache.Key flywayKey(String... scripts) throws Exception {
    return ExpectedSchemaCache.Key.of("app", 17, flyway(), List.of(scripts));
  }

  @Test
  void flywayKeyChangesWhenAReplayedFileChanges() throws Exception {
    write(dir, "V1__a.sql", "CREATE TABLE a (id int);");
    write(dir, "sub/V2__b.sql", "CREATE TABLE b (id int);");
    write(dir, "R__v.sql", "CREATE VIEW v AS SELECT 1;");
    String[] applied = {"V1__a.sql", "sub/V2__b.sql", "R__v.sql"};
    ExpectedSchemaCache.Key before = flywayKey(applied);

    assertThat(flywayKey(applied)).isEqualTo(before);
    write(dir, "sub/V2__b.sql", "CREATE TABLE b (id bigint);");
    assertThat(flywayKey(applied)).isNotEqualTo(before);
    ExpectedSchemaCache.Key edited = flywayKey(applied);
    write(dir, "R__v.sql", "CREATE VIEW v AS SELECT 2;");
    assertThat(flywayKey(applied)).isNotEqualTo(edited);
    ExpectedSchemaCache.Key repeatable = flywayKey(applied);
    write(dir, "sub/V2__b.sql.conf", "executeInTransaction=false\n");
    assertThat(flywayKey(applied)).isNotEqualTo(repeatable);
  }

  @Test
  void flywayKeyChangesWhenACallbackTheReplayRunsIsAddedEditedOrRemoved() throws Exception {
    write(dir, "V1__a.sql", "CREATE TABLE a (id int);");
    ExpectedSchemaCache.Key before = flywayKey("V1__a.sql");

    write(dir, "afterMigrate.sql", "GRANT SELECT ON a TO PUBLIC;");
    ExpectedSchemaCache.Key added = flywayKey("V1__a.sql");
    assertThat(added).isNotEqualTo(before);
    write(dir, "afterMigrate.sql", "COMMENT ON TABLE a IS 'a';");
    ExpectedSchemaCache.Key edited = flywayKey("V1__a.sql");
    assertThat(edited).isNotEqualTo(added);
    write(dir, "callbacks/beforeEachMigrate__audit.sql", "SELECT 1;");
    assertThat(flywayKey("V1__a.sql")).isNotEqualTo(edited);
    Files.delete(dir.resolve("callbacks/beforeEachMigrate__audit.sql"));
    assertThat(flywayKey("V1__a.sql")).isEqualTo(edited);
    Files.delete(dir.resolve("afterMigrate.sql"));
    assertThat(flywayKey("V1__a.sql")).isEqualTo(before);
  }

  @Test
  void flywayKeyIgnoresFilesLiveDidNotApply() throws Exception {
    write(dir, "V1__a.sql", "CREATE TABLE a (id int);");
    write(dir, "V1_1__b.sql", "CREATE TABLE b (id int);");
    ExpectedSchemaCache.Key before = flywayKey("V1__a.sql", "V1_1__b.sql");

    write(dir, "V2__pending.sql", "CREATE TABLE pending (id int);");
    write(dir, "V1_0_5__ignored.sql", "CREATE TABLE ignored (id int);");
    write(dir, "README.md", "notes");
    assertThat(flywayKey("V1__a.sql", "V1_1__b.sql")).isEqualTo(before);

    write(dir, "V2__pending.sql", "CREATE TABLE pending (id bigint);");
    assertThat(flywayKey("V1__a.sql", "V1_1__b.sql")).isEqualTo(before);
    // Once live applies it, it counts; and the order live applied them in counts.
    assertThat(flywayKey("V1__a.sql", "V1_1__b.sql", "V2__pending.sql")).isNotEqualTo(before);
    assertThat(flywayKey("V1_1__b.sql", "V1__a.sql")).isNotEqualTo(before);
  }

  @Test
  void keyChangesWithTheMajorAndTheHistory() throws Exception {
    write(dir, "V1__a.sql", "CREATE TABLE a (id int);");
    assertThat(ExpectedSchemaCache.Key.of("app", 16, flyway(), List.of("V1__a.sql")))
        .isNotEqualTo(flywayKey("V1__a.sql"));
    assertThat(flywayKey("V1__a.sql").history()).containsExactly("V1__a.sql");
    assertThat(flywayKey().history()).isEmpty();
  }

  @Test
  void keyChangesWithWhatTheSnapshotCompares() throws Exception {
    write(dir, "V1__a.sql", "CREATE TABLE a (id int);");
    ExpectedSchemaCache<String> cache = new ExpectedSchemaCache<>(1);
    SnapshotOptions defaults = SnapshotOptions.defaults();
    SnapshotOptions grants = defaults.withCompared(EnumSet.of(ComparedKind.GRANTS));
    var withDefaults = ExpectedSchemaCache.Key.of("app", 17, flyway(), List.of("V1__a.sql"), defaults.contentKey());
    cache.put(withDefaults, "expected");

    assertThat(cache.get(ExpectedSchemaCache.Key.of("app", 17, flyway(), List.of("V1__a.sql"),
        SnapshotOptions.defaults().contentKey()))).isEqualTo("expected");
    assertThat(cache.get(ExpectedSchemaCache.Key.of("app", 17, flyway(), List.of("V1__a.sql"), grants.contentKey())))
        .isNull();
    assertThat(cache.get(ExpectedSchemaCache.Key.of("app", 17, flyway(), List.of("V1__a.sql"),
        defaults.withRoleMap(Map.of("postgres", "app_owner")).contentKey()))).isNull();
  }

  @Test
  void prismaKeyCoversTheAppliedScriptsInOrder() throws Exception {
    MigrationSource.Prisma prisma = new MigrationSource.Prisma(dir);
    write(dir, "1_a/migration.sql", "CREATE TABLE a (id int);");
    write(dir, "2_b/migration.sql", "CREATE TABLE b (id int);");
    write(dir, "3_pending/migration.sql", "CREATE TABLE c (id int);");
    ExpectedSchemaCache.Key before = ExpectedSchemaCache.Key.of("app", 17, prisma, List.of("1_a", "2_b"));

    write(dir, "3_pending/migration.sql", "CREATE TABLE c (id bigint);");
    assertThat(ExpectedSchemaCache.Key.of("app", 17, prisma, List.of("1_a", "2_b"))).isEqualTo(before);
    assertThat(ExpectedSchemaCache.Key.of("app", 17, prisma, List.of("2_b", "1_a"))).isNotEqualTo(before);
    write(dir, "2_b/migration.sql", "CREATE TABLE b (id bigint);");
    assertThat(ExpectedSchemaCache.Key.of("app", 17, prisma, List.of("1_a", "2_b"))).isNotEqualTo(before);
  }

  @Test
  void keepsOnlyTheLatestEntryPerTargetAndABoundedNumberOfTargets() {
    ExpectedSchemaCache<String> cache = new ExpectedSchemaCache<>(2);
    var app1 = new ExpectedSchemaCache.Key("app", 17, MigrationTool.FLYWAY, List.of("1"), "aa");
    var app2 = new ExpectedSchemaCache.Key("app", 17, MigrationTool.FLYWAY, List.of("2"), "bb");
    cache.put(app1, "schema 1");
    assertThat(cache.get(app1)).isEqualTo("schema 1");
    assertThat(cache.get(app2)).isNull();
    cache.put(app2, "schema 2");
    assertThat(cache.get(app1)).isNull();
    assertThat(cache.get(app2)).isEqualTo("schema 2");

    var billing = new ExpectedSchemaCache.Key("billing", 17, MigrationTool.PRISMA, List.of("1_a"), "cc");
    var audit = new ExpectedSchemaCache.Key("audit", 17, MigrationTool.PRISMA, List.of("1_a"), "dd");
    cache.put(billing, "billing");
    cache.get(app2); // app is now the most recently used
    cache.put(audit, "audit");
    assertThat(cache.get(billing)).isNull();
    assertThat(cache.get(app2)).isEqualTo("schema 2");
    assertThat(cache.get(audit)).isEqualTo("audit");
  }
}

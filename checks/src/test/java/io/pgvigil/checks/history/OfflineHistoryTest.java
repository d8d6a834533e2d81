package io.pgvigil.checks.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgvigil.checks.testing.ConfigMapVolume;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The applied history told by {@code --applied-through}: files only, in each tool's order. */
class OfflineHistoryTest {

  @TempDir
  Path dir;

  @Test
  void flywayVersionsUpToTheGivenOneAreAppliedInVersionOrderAndRepeatablesWithThem() throws Exception {
    for (String name : List.of("V1__a.sql", "V2__b.sql", "V10__c.sql", "V2_5__d.sql", "R__view.sql", "V11__e.sql")) {
      Files.writeString(dir.resolve(name), "SELECT 1;\n");
    }
    MigrationSource source = new MigrationSource.Flyway(List.of(dir), "flyway_schema_history", List.of("public"),
        false);

    OfflineHistory.Result result = OfflineHistory.read(source, new OfflineHistory.Through("V10"), Instant.EPOCH);

    assertThat(result.report().appliedMigrations())
        .containsExactly("V1__a.sql", "V2__b.sql", "V2_5__d.sql", "V10__c.sql", "R__view.sql");
    assertThat(result.report().problems()).extracting(HistoryProblem::script).containsExactly("V11__e.sql");
    assertThat(result.report().problems()).extracting(HistoryProblem::kind).containsOnly(HistoryProblemKind.PENDING);
    assertThat(result.notes()).containsExactly("repeatable migrations are taken as applied, as they are now");
    assertThat(OfflineHistory.read(source, new OfflineHistory.Through("2.5"), Instant.EPOCH).report().pending())
        .isEqualTo(2);
  }

  @Test
  void aConfigMapVolumeIsReadOnceForEitherTool() throws Exception {
    Path flyway = Files.createDirectory(dir.resolve("flyway"));
    Files.writeString(flyway.resolve("V1__a.sql"), "SELECT 1;\n");
    Files.writeString(flyway.resolve("V2__b.sql"), "SELECT 1;\n");
    ConfigMapVolume.mount(flyway);
    Path prisma = Files.createDirectory(dir.resolve("prisma"));
    Files.writeString(Files.createDirectories(prisma.resolve("20240101_init")).resolve("migration.sql"), "SELECT 1;\n");
    ConfigMapVolume.mount(prisma);

    assertThat(OfflineHistory.read(new MigrationSource.Flyway(List.of(flyway), "flyway_schema_history",
        List.of("public"), false), new OfflineHistory.Through("V2"), Instant.EPOCH).report().appliedMigrations())
        .containsExactly("V1__a.sql", "V2__b.sql");
    assertThat(OfflineHistory.read(new MigrationSource.Prisma(prisma), new OfflineHistory.Through("20240101_init"),
        Instant.EPOCH).report().appliedMigrations()).containsExactly("20240101_init");
  }

  @Test
  void prismaDirectoriesUpToTheNamedOneAreAppliedByName() throws Exception {
    for (String name : List.of("20240101_init", "20240301_orders", "20240201_users")) {
      Files.writeString(Files.createDirectories(dir.resolve(name)).resolve("migration.sql"), "SELECT 1;\n");
    }
    MigrationSource source = new MigrationSource.Prisma(dir);

    OfflineHistory.Result result =
        OfflineHistory.read(source, new OfflineHistory.Through("20240201_users"), Instant.EPOCH);

    assertThat(result.report().appliedMigrations()).containsExactly("20240101_init", "20240201_users");
    assertThat(result.report().problems()).extracting(HistoryProblem::script).containsExactly("20240301_orders");
    assertThatThrownBy(() -> OfflineHistory.read(source, new OfflineHistory.Through("20240215_x"), Instant.EPOCH))
        .isInstanceOf(HistoryException.class)
        .hasMessageContaining("--applied-through 20240215_x names no migration")
        .hasMessageContaining("from 20240101_init to 20240301_orders");
  }
}

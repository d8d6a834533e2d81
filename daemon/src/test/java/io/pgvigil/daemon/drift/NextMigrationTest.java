package io.pgvigil.daemon.drift;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NextMigrationTest {

  @Test
  void countsUpTheHighestFlywayVersionInItsOwnStyle() {
    assertThat(NextMigration.flywayFile(List.of("V12__x.sql", "V9__y.sql", "R__views.sql"), "adopt"))
        .isEqualTo("V13__adopt.sql");
    assertThat(NextMigration.flywayFile(List.of("V009__x.sql", "V010__y.sql"), "adopt")).isEqualTo("V011__adopt.sql");
    assertThat(NextMigration.flywayFile(List.of("V1.2.9__x.sql", "V1.2.10__y.sql", "V1.1__z.sql"), "a"))
        .isEqualTo("V1.2.11__a.sql");
    assertThat(NextMigration.flywayFile(List.of("V2_1__x.sql", "V2__y.sql"), "a")).isEqualTo("V2_2__a.sql");
    assertThat(NextMigration.flywayFile(List.of("V20240101120000__x.sql"), "a")).isEqualTo("V20240101120001__a.sql");
    assertThat(NextMigration.flywayFile(List.of("db/V3__applied_elsewhere.sql", "V2__x.sql"), "a"))
        .isEqualTo("V4__a.sql");
    assertThat(NextMigration.flywayFile(List.of(), "a")).isEqualTo("V1__a.sql");
  }

  @Test
  void namesAPrismaFolderAfterTheLatestOne(@TempDir Path dir) throws Exception {
    Instant now = Instant.parse("2026-12-02T16:40:05Z");
    Files.createDirectories(dir.resolve("20240101000000_init"));
    assertThat(NextMigration.prismaFolder(dir, "adopt", now)).isEqualTo("20261202164005_adopt");
    Files.createDirectories(dir.resolve("20261202164005_same_second"));
    assertThat(NextMigration.prismaFolder(dir, "adopt", now)).isEqualTo("20261202164006_adopt");
  }
}

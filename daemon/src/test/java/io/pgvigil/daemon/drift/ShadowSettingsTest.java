package io.pgvigil.daemon.drift;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the daemon writes, from PGVIGIL_DATA_DIR (and PGVIGIL_POSTGRES_DIR). */
class ShadowSettingsTest {

  @Test
  void keepsEverythingUnderTheDataDirectory() {
    ShadowSettings.Storage storage = ShadowSettings.Storage.fromEnvironment(Map.of("PGVIGIL_DATA_DIR", "/data"));

    assertThat(storage.binariesCache()).isEqualTo(Path.of("/data/postgres"));
    assertThat(storage.shadowWork()).isEqualTo(Path.of("/data/shadow"));
    assertThat(storage.alertSpool()).isEqualTo(Path.of("/data/spool"));
  }

  @Test
  void takesTheBinariesFromPgvigilPostgresDirWhenSet(@TempDir Path temp) {
    Path binaries = temp.resolve("opt/pgvigil/postgres");
    ShadowSettings.Storage storage = ShadowSettings.Storage.fromEnvironment(
        Map.of("PGVIGIL_DATA_DIR", "/data", "PGVIGIL_POSTGRES_DIR", binaries.toString()));

    assertThat(storage.binariesCache()).isEqualTo(binaries);
    assertThat(storage.shadowWork()).isEqualTo(Path.of("/data/shadow"));
  }

  @Test
  void aRelativeDataDirWithDotSegmentsIsMadeAbsoluteAndNormalized() {
    ShadowSettings.Storage storage = ShadowSettings.Storage.fromEnvironment(Map.of("PGVIGIL_DATA_DIR", "./x/../d"));

    Path expected = Path.of("d").toAbsolutePath().normalize();
    assertThat(storage.binariesCache()).isEqualTo(expected.resolve("postgres"));
    assertThat(storage.shadowWork()).isEqualTo(expected.resolve("shadow"));
    assertThat(storage.state()).isEqualTo(expected.resolve("state"));
  }

  @Test
  void unpacksUnderTheDataDirectoryWhenPgvigilPostgresDirIsEmptyAndCannotBeWritten(@TempDir Path temp)
      throws Exception {
    // Under a regular file: no user, root included, can make it (a read-only mode would not stop root).
    Path readOnly = Files.createFile(temp.resolve("a-file")).resolve("postgres");
    ShadowSettings.Storage storage = ShadowSettings.Storage.fromEnvironment(
        Map.of("PGVIGIL_DATA_DIR", "/data", "PGVIGIL_POSTGRES_DIR", readOnly.toString()));

    assertThat(storage.binariesCache()).isEqualTo(Path.of("/data/postgres"));
  }
}

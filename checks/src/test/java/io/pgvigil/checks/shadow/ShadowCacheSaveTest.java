package io.pgvigil.checks.shadow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two runs saving the same history: the second loses the race quietly, a real failure is still one. */
class ShadowCacheSaveTest {

  @TempDir
  Path cache;

  @Test
  void aSaveThatFindsItsEntryAlreadyThereLostTheRaceRatherThanFailed() throws IOException {
    Path entry = Files.createDirectory(cache.resolve("abc"));
    Files.writeString(entry.resolve("entry.properties"), "migrations=3");
    Path temp = Files.createDirectory(cache.resolve(".tmp-1"));
    Files.writeString(temp.resolve("entry.properties"), "migrations=3");

    // On Linux the rename fails with ENOTEMPTY, a plain FileSystemException rather than DirectoryNotEmptyException.
    assertThat(ShadowCache.moveIntoPlace(temp, entry)).isFalse();
    assertThat(entry.resolve("entry.properties")).hasContent("migrations=3");
  }

  @Test
  void aSaveMovesItsCopyIntoPlaceOrSaysWhyNot() throws IOException {
    Path temp = Files.createDirectory(cache.resolve(".tmp-1"));
    assertThat(ShadowCache.moveIntoPlace(temp, cache.resolve("abc"))).isTrue();
    assertThat(cache.resolve("abc")).isDirectory();

    assertThatThrownBy(() -> ShadowCache.moveIntoPlace(cache.resolve(".tmp-gone"), cache.resolve("def")))
        .isInstanceOf(IOException.class);
  }
}

package io.pgvigil.daemon.runtime;

import io.pgvigil.checks.testing.TestServers;
import io.pgvigil.daemon.drift.ShadowSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where daemon tests keep shadows: the shared test binaries cache, shadows and spools under java.io.tmpdir; each
 * call gives a fresh state directory, so no test sees another's windows, alerts or silences.
 */
public final class TestStorage {

  private TestStorage() {}

  public static ShadowSettings.Storage storage() {
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    try {
      Files.createDirectories(tmp);
      return new ShadowSettings.Storage(TestServers.binariesCache(), tmp.resolve("pgvigil-shadow"),
          tmp.resolve("pgvigil-spool"), Files.createTempDirectory(tmp, "pgvigil-state"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

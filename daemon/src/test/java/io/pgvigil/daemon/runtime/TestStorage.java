package io.pgvigil.daemon.runtime;

import io.pgvigil.checks.testing.TestServers;
import io.pgvigil.daemon.drift.ShadowSettings;
import java.nio.file.Path;

/** Where daemon tests keep shadows: the shared test binaries cache, shadows and spools under java.io.tmpdir. */
public final class TestStorage {

  private TestStorage() {}

  public static ShadowSettings.Storage storage() {
    return new ShadowSettings.Storage(TestServers.binariesCache(),
        Path.of(System.getProperty("java.io.tmpdir"), "pgvigil-shadow"),
        Path.of(System.getProperty("java.io.tmpdir"), "pgvigil-spool"));
  }
}

package io.pgvigil.checks.shadow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Only a cleanly stopped shadow is copied for the cache; one that had to be killed is not, and still restarts. */
class EmbeddedShadowStopIT {

  private static final int MAJOR = Integer.getInteger("pgvigil.test.pg", 17);

  @TempDir
  Path work;

  @Test
  void aShadowKilledAfterAFailedStopIsNotCopiedAndRestartsForTheReview() throws Exception {
    Path binaries = Path.of(System.getProperty("java.io.tmpdir"), "pgvigil-postgres");
    EmbeddedShadow shadow = EmbeddedShadow.start(MAJOR, binaries, work.resolve("shadows"));
    // Without its pid file pg_ctl stop fails ("is server running?"), and the server is killed instead.
    Files.delete(shadow.root().resolve("data/postmaster.pid"));
    Path copy = Files.createDirectory(work.resolve("copy"));

    assertThatThrownBy(() -> shadow.stopAndCopyTo(copy)).hasMessageContaining("did not shut down cleanly");
    assertThat(copy).isEmptyDirectory();
    try (EmbeddedShadow restarted = shadow.restarted()) {
      assertThat(restarted.root()).isDirectory();
    }
  }
}

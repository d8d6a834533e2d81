package io.pgvigil.checks.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PostgresBundleTest {

  private Path cache;

  @BeforeEach
  void freshCache() throws Exception {
    cache = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "bundle-cache-");
  }

  @AfterEach
  void deleteCache() throws Exception {
    FileTrees.delete(cache);
  }

  @Test
  void knowsTheExactVersionOfEachBundledMajor() {
    assertThat(PostgresBundle.of(14).version()).matches("14\\.\\d+\\.\\d+");
    assertThat(PostgresBundle.of(18).version()).matches("18\\.\\d+\\.\\d+");
  }

  @Test
  void namesTheBundledMajorsWhenAskedForAnother() {
    assertThatThrownBy(() -> PostgresBundle.of(19))
        .hasMessage("PostgreSQL 19 is not bundled; bundled majors: 14, 15, 16, 17, 18");
  }

  @Test
  void concurrentInstallsExtractOnceWithExecutableBitsAndSymlinks() throws Exception {
    PostgresBundle bundle = PostgresBundle.of(17);
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      Callable<Path> install = () -> bundle.install(cache);
      List<Future<Path>> installs = pool.invokeAll(List.of(install, install, install));
      for (Future<Path> result : installs) {
        assertThat(result.get()).isEqualTo(cache.resolve(bundle.version()));
      }
    } finally {
      pool.shutdownNow();
    }
    Path home = cache.resolve(bundle.version());
    assertThat(Files.isExecutable(home.resolve("bin/postgres"))).isTrue();
    assertThat(Files.isExecutable(home.resolve("bin/initdb"))).isTrue();
    assertThat(Files.isSymbolicLink(home.resolve("lib/libpq.so.5"))).isTrue();
    assertThat(home.resolve("lib/libpq.so.5")).exists();
    try (Stream<Path> entries = Files.list(cache)) {
      assertThat(entries).containsExactly(home); // the losers' temp directories are gone
    }
    assertThat(bundle.install(cache)).isEqualTo(home);
  }
}

package io.pgvigil.checks.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class EmbeddedPostgresIT {

  private static final int MAJOR = Integer.getInteger("pgvigil.test.pg", 17);

  private static EmbeddedPostgres.Builder builder() {
    return EmbeddedPostgres.builder().major(MAJOR)
        .binariesCache(Path.of(System.getProperty("java.io.tmpdir"), "pgvigil-postgres"));
  }

  @Test
  void answersWithTheRequestedMajorOnLoopback() throws Exception {
    try (EmbeddedPostgres pg = builder().name("answers").start()) {
      assertThat(pg.host()).isEqualTo("127.0.0.1");
      assertThat(pg.major()).isEqualTo(MAJOR);
      assertThat(pg.version()).startsWith(MAJOR + ".");
      assertThat(pg.jdbcUrl("postgres"))
          .isEqualTo("jdbc:postgresql://127.0.0.1:" + pg.port() + "/postgres?user=postgres");
      assertThat(pg.uri("app")).isEqualTo("postgresql://postgres@127.0.0.1:" + pg.port() + "/app");
      assertThat(query(pg, "SELECT version()")).startsWith("PostgreSQL " + MAJOR + ".");
      assertThat(query(pg, "SHOW server_version_num")).startsWith(Integer.toString(MAJOR));
      assertThat(query(pg, "SHOW unix_socket_directories")).isEmpty();
      assertThat(query(pg, "SHOW listen_addresses")).isEqualTo("127.0.0.1");
      assertThat(query(pg, "SHOW fsync")).isEqualTo("off");
      assertThat(query(pg, "SHOW wal_level")).isEqualTo("replica");
      assertThat(query(pg, "SELECT pg_encoding_to_char(encoding) FROM pg_database WHERE datname = 'postgres'"))
          .isEqualTo("UTF8");
    }
  }

  @Test
  void restartsOnTheSamePortAndKeepsData() throws Exception {
    try (EmbeddedPostgres pg = builder().name("restart").start()) {
      int port = pg.port();
      execute(pg, "CREATE TABLE kept (id int); INSERT INTO kept VALUES (42)");
      pg.stop();
      assertThat(pg.isRunning()).isFalse();
      assertThatThrownBy(() -> query(pg, "SELECT 1")).isInstanceOf(SQLException.class);
      pg.start();
      assertThat(pg.port()).isEqualTo(port);
      assertThat(query(pg, "SELECT id::text FROM kept")).isEqualTo("42");
    }
  }

  @Test
  void closeRemovesTheDataDirectoryAndIsIdempotent() throws Exception {
    EmbeddedPostgres pg = builder().name("close").start();
    Path data = pg.dataDirectory();
    assertThat(data.resolve("PG_VERSION")).exists();
    pg.close();
    pg.close();
    assertThat(data).doesNotExist();
    assertThat(data.getParent()).doesNotExist();
  }

  @Test
  void keepsADataDirectoryItDidNotCreate() throws Exception {
    Path root = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "given-");
    try {
      Path data = root.resolve("cluster");
      try (EmbeddedPostgres pg = builder().name("given").dataDirectory(data).start()) {
        execute(pg, "CREATE TABLE survives (id int)");
        assertThat(root.resolve("given.log")).isNotEmptyFile();
      }
      assertThat(data.resolve("PG_VERSION")).exists();
      try (EmbeddedPostgres again = builder().name("given").dataDirectory(data).start()) {
        assertThat(query(again, "SELECT count(*)::text FROM survives")).isEqualTo("0");
      }
    } finally {
      FileTrees.delete(root);
    }
  }

  @Test
  void runsTwoServersSideBySide() throws Exception {
    try (EmbeddedPostgres one = builder().name("one").start(); EmbeddedPostgres two = builder().name("two").start()) {
      assertThat(one.port()).isNotEqualTo(two.port());
      execute(one, "CREATE TABLE only_in_one (id int)");
      assertThat(query(one, "SELECT count(*)::text FROM pg_class WHERE relname = 'only_in_one'")).isEqualTo("1");
      assertThat(query(two, "SELECT count(*)::text FROM pg_class WHERE relname = 'only_in_one'")).isEqualTo("0");
    }
  }

  @Test
  void rejectsAMajorThatIsNotBundled() {
    assertThatThrownBy(() -> EmbeddedPostgres.builder().major(13).start())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("PostgreSQL 13 is not bundled; bundled majors: 14, 15, 16, 17, 18");
  }

  @Test
  void failsWithTheServerLogWhenTheSettingIsInvalid() throws Exception {
    Path root = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "broken-");
    try {
      assertThatThrownBy(() -> builder().name("broken").dataDirectory(root.resolve("data"))
          .setting("shared_buffers", "not-a-size").start())
          .hasMessageContaining("PostgreSQL exited")
          .hasMessageContaining("shared_buffers");
    } finally {
      FileTrees.delete(root);
    }
  }

  @Test
  void removesItsTemporaryDirectoryWhenStartFails() throws Exception {
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    assertThatThrownBy(() -> builder().name("halfway").setting("no_such_setting", "1").start())
        .isInstanceOf(java.io.IOException.class)
        .hasMessageContaining("no_such_setting");
    try (var leftovers = Files.list(tmp)) {
      assertThat(leftovers.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("pgvigil-halfway-"));
    }
  }

  static String query(EmbeddedPostgres pg, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(pg.jdbcUrl("postgres"));
        Statement s = c.createStatement();
        ResultSet rows = s.executeQuery(sql)) {
      rows.next();
      return rows.getString(1);
    }
  }

  static void execute(EmbeddedPostgres pg, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(pg.jdbcUrl("postgres")); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}

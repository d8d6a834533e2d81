package io.pgvigil.checks.shadow;

import static io.pgvigil.checks.shadow.ShadowFixtures.admin;
import static io.pgvigil.checks.shadow.ShadowFixtures.query;
import static io.pgvigil.checks.shadow.ShadowFixtures.shadowDatabases;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgvigil.checks.history.HistoryDatabase;
import io.pgvigil.checks.history.MigrationSource;
import io.pgvigil.checks.testing.PostgresExtension;
import io.pgvigil.checks.testing.Sql;
import io.pgvigil.checks.testing.TestPostgres;
import io.pgvigil.checks.testing.TestServers;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

@ExtendWith(PostgresExtension.class)
class ShadowDatabasesIT {

  private static final Logger LOG = LoggerFactory.getLogger(ShadowDatabasesIT.class);

  @Test
  void embeddedShadowRunsTheLiveMajorAndIsRemovedOnClose(@TempDir Path work) throws Exception {
    long begin = System.nanoTime();
    ShadowDatabase shadow = Shadows.embedded(TestServers.binariesCache(), work).open(TestServers.major());
    LOG.info("embedded shadow started in {} ms", (System.nanoTime() - begin) / 1_000_000);
    Path root = ((EmbeddedShadow) shadow).root();
    try {
      assertThat(shadow.major()).isEqualTo(TestServers.major());
      assertThat(root.getParent()).isEqualTo(work);
      assertThat(root.resolve("data").resolve("PG_VERSION")).exists();
      assertThat(query(shadow, "SELECT current_setting('server_version_num')::int / 10000")).isEqualTo(
          Integer.toString(TestServers.major()));
      assertThat(query(shadow, "SELECT current_database()")).isEqualTo(shadow.database());
      assertThat(shadow.jdbcUrl()).startsWith("jdbc:postgresql://" + shadow.host() + ":" + shadow.port() + "/");
    } finally {
      shadow.close();
    }
    shadow.close(); // idempotent
    assertThat(root).doesNotExist();
  }

  @Test
  void embeddedShadowOfAMajorThatIsNotBundledSuggestsUrlMode(@TempDir Path work) {
    assertThatThrownBy(() -> Shadows.embedded(TestServers.binariesCache(), work).open(13))
        .isInstanceOf(ShadowException.class)
        .hasMessage("the live server runs PostgreSQL 13, and pgvigil bundles 14, 15, 16, 17, 18 for the embedded"
            + " shadow: use shadow.mode: url with a scratch PostgreSQL 13 server");
    assertThat(work).isEmptyDirectory();
  }

  @Test
  void urlShadowIsAUniquelyNamedDatabaseDroppedOnClose(TestPostgres pg) throws Exception {
    List<String> before = shadowDatabases(pg);
    long begin = System.nanoTime();
    ShadowDatabase first = Shadows.onServer(admin(pg)).open(pg.major());
    LOG.info("url shadow database created in {} ms", (System.nanoTime() - begin) / 1_000_000);
    try (ShadowDatabase second = Shadows.onServer(admin(pg)).open(pg.major())) {
      assertThat(first.database()).matches("pgvigil_shadow_[0-9a-f]{16}").isNotEqualTo(second.database());
      assertThat(shadowDatabases(pg)).containsAll(List.of(first.database(), second.database()));
      assertThat(first.host()).isEqualTo(pg.host());
      assertThat(first.port()).isEqualTo(pg.port());
      assertThat(first.jdbcUrl())
          .isEqualTo("jdbc:postgresql://" + pg.host() + ":" + pg.port() + "/" + first.database());
      assertThat(query(first, "SELECT current_database()")).isEqualTo(first.database());
      // Made from template0: what a user put into template1 must not show up as expected schema.
      assertThat(query(first, "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"))
          .isEqualTo("0");
      // An open session does not keep the database alive (DROP ... WITH (FORCE)).
      try (Connection open = ShadowFixtures.connect(first)) {
        begin = System.nanoTime();
        first.close();
        LOG.info("url shadow database dropped in {} ms", (System.nanoTime() - begin) / 1_000_000);
        assertThat(open.isValid(2)).isFalse();
      }
      assertThat(shadowDatabases(pg)).doesNotContain(first.database()).contains(second.database());
    }
    assertThat(shadowDatabases(pg)).isEqualTo(before);
  }

  @Test
  void urlShadowIsDroppedAlsoWhenTheReplayFails(TestPostgres pg, @TempDir Path migrations) throws Exception {
    ShadowFixtures.write(migrations, "V1__broken.sql",
        "CREATE TABLE t (id int);\nALTER TABLE missing ADD COLUMN x int;\n");
    String name;
    try (ShadowDatabase shadow = Shadows.onServer(admin(pg)).open(pg.major())) {
      name = shadow.database();
      assertThatThrownBy(() -> new HistoryReplay().replay(shadow,
          new MigrationSource.Flyway(List.of(migrations), "flyway_schema_history",
              List.of("public"), false),
          List.of("V1__broken.sql")))
          .isInstanceOf(ReplayException.class);
    }
    assertThat(shadowDatabases(pg)).doesNotContain(name);
  }

  @Test
  void urlShadowOfAnotherMajorIsRefused(TestPostgres pg) throws Exception {
    int other = pg.major() == 18 ? 17 : pg.major() + 1;
    assertThatThrownBy(() -> Shadows.onServer(admin(pg)).open(other))
        .isInstanceOf(ShadowException.class)
        .hasMessageStartingWith("the shadow server " + pg.host() + ":" + pg.port() + " runs PostgreSQL " + pg.major()
            + " but the live server runs " + other + ": the shadow must run the live major");
    assertThat(shadowDatabases(pg)).isEmpty();
  }

  @Test
  void urlShadowNamesTheGrantARoleWithoutCreatedbNeeds(TestPostgres pg) throws Exception {
    Sql.execute(pg, "DROP ROLE IF EXISTS no_createdb", "CREATE ROLE no_createdb LOGIN PASSWORD 'secret-pw' NOCREATEDB");
    HistoryDatabase limited = new HistoryDatabase(admin(pg).jdbcUrl(), "no_createdb", "secret-pw");
    assertThatThrownBy(() -> Shadows.onServer(limited).open(pg.major()))
        .isInstanceOf(ShadowException.class)
        .hasMessageContaining("role no_createdb may not create databases")
        .hasMessageContaining("ALTER ROLE \"no_createdb\" CREATEDB")
        .message().doesNotContain("secret-pw");
  }
}

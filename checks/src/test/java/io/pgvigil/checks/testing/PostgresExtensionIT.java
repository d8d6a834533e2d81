package io.pgvigil.checks.testing;

import static io.pgvigil.checks.testing.Sql.execute;
import static io.pgvigil.checks.testing.Sql.query;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class PostgresExtensionIT {

  static TestPostgres injected;

  @Test
  void injectsAServerOfTheRequestedMajor(TestPostgres postgres) throws Exception {
    assertThat(postgres.major()).isEqualTo(TestServers.major());
    assertThat(query(postgres, "SHOW server_version_num")).startsWith(Integer.toString(TestServers.major()));
    assertThat(query(postgres, "SELECT current_database()")).isEqualTo("app");
    assertThat(query(postgres, "SELECT rolsuper::text FROM pg_roles WHERE rolname = current_user")).isEqualTo("true");
    assertThat(postgres.backend()).isIn("embedded", "testcontainers");
    assertThat(postgres.uri()).startsWith("postgresql://postgres").endsWith(":" + postgres.port() + "/app");
  }

  @Test
  void injectsTheSameServerIntoStaticFields(TestPostgres postgres) {
    assertThat(injected).isSameAs(postgres);
  }

  @Test
  void restartsOnTheSamePortAfterAnOutage(TestPostgres postgres) throws Exception {
    int port = postgres.port();
    execute(postgres, "CREATE TABLE IF NOT EXISTS survivor (id int)");
    postgres.stop();
    assertThatThrownBy(() -> query(postgres, "SELECT 1")).isInstanceOf(SQLException.class);
    postgres.start();
    assertThat(postgres.port()).isEqualTo(port);
    assertThat(query(postgres, "SELECT count(*)::text FROM survivor")).isEqualTo("0");
  }

  @Nested
  class NestedTests {
    @Test
    void shareTheEnclosingClassServer(TestPostgres postgres) {
      assertThat(postgres).isSameAs(injected);
    }
  }
}

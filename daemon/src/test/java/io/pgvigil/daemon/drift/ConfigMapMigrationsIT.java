package io.pgvigil.daemon.drift;

import static io.pgvigil.daemon.testing.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgvigil.checks.testing.ConfigMapVolume;
import io.pgvigil.checks.testing.PostgresExtension;
import io.pgvigil.checks.testing.TestPostgres;
import io.pgvigil.daemon.demo.Demo;
import io.pgvigil.daemon.testing.CliRun;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Migrations mounted from a Kubernetes ConfigMap (the chart's extraVolumes): each file is there twice, once in the
 * hidden {@code ..<timestamp>/} directory and once as a link, and the drift check still reads each once.
 */
@ExtendWith(PostgresExtension.class)
class ConfigMapMigrationsIT {

  @Test
  void aFlywayHistoryFromAConfigMapVolumeIsNoDrift(TestPostgres pg, @TempDir Path repo) throws Exception {
    Path migrations = Files.createDirectories(repo.resolve("migrations"));
    Files.writeString(migrations.resolve("V1__create_accounts.sql"),
        "CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL);\n");
    Files.writeString(migrations.resolve("V2__index_email.sql"), "CREATE INDEX ON accounts (email);\n");
    ConfigMapVolume.mount(migrations);
    Demo.migrate(pg.jdbcUrl(), migrations);
    Path config = Files.writeString(repo.resolve("pgvigil.yaml"), """
        targets:
          - name: app
            url: %s
            migrations: { tool: flyway, locations: [./migrations] }
        """.formatted(pg.uri()));

    CliRun result = run("drift", "--config", config.toString(), "--format", "json");

    assertThat(result.exit()).as(result.out() + result.err()).isEqualTo(0);
    JsonObject app = new JsonObject(result.out()).getJsonArray("targets").getJsonObject(0);
    assertThat(app.getString("status")).as(app.encodePrettily()).isEqualTo("clean");
    assertThat(app.getJsonObject("history").getInteger("applied")).isEqualTo(2);
  }
}

package io.pgvigil.helm;

import static io.pgvigil.helm.RenderedChart.render;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** pgvigil/examples/values-*.yaml: one per managed PostgreSQL service, TLS checked against the provider's CA. */
class ManagedServiceExamplesTest {

  /** The URL parameters the daemon takes (README, "TLS to PostgreSQL"); any other is a config error. */
  private static final List<String> URL_PARAMETERS = List.of("sslmode", "sslrootcert", "sslcert", "sslkey");

  static Stream<String> examples() throws IOException {
    try (Stream<Path> files = Files.list(RenderedChart.CHART.resolve("examples"))) {
      return files.map(f -> f.getFileName().toString()).filter(f -> f.startsWith("values-")).sorted().toList()
          .stream();
    }
  }

  @Test
  void hasOneExamplePerManagedService() throws IOException {
    assertThat(examples()).contains("values-rds.yaml", "values-cloudsql.yaml", "values-azure.yaml");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void connectsWithVerifyFullAgainstTheMountedCaBundleAndNoMoreThanTheRoleNeeds(String example) throws IOException {
    Path file = RenderedChart.CHART.resolve("examples").resolve(example);
    RenderedChart chart = render(file);

    JsonNode target = chart.config().at("/targets/0");
    URI url = URI.create(target.path("url").asText());
    Map<String, String> query = query(url);
    assertThat(query.keySet()).isSubsetOf(URL_PARAMETERS);
    assertThat(query.get("sslmode")).isEqualTo("verify-full");
    assertThat(url.getUserInfo()).as("the role, not the provider's admin").isEqualTo("pgvigil");

    // sslrootcert is a file of a ConfigMap or Secret mounted read-only into the pgvigil container.
    String rootCert = query.get("sslrootcert");
    assertThat(rootCert).startsWith("/");
    JsonNode pgvigil = chart.container("pgvigil");
    JsonNode mount = null;
    for (JsonNode m : pgvigil.path("volumeMounts")) {
      if (rootCert.startsWith(m.path("mountPath").asText() + "/")) {
        mount = m;
      }
    }
    assertThat(mount).as("a mount holding %s", rootCert).isNotNull();
    assertThat(mount.path("readOnly").asBoolean()).isTrue();
    JsonNode volume = chart.volume(mount.path("name").asText());
    assertThat(volume.has("configMap") || volume.has("secret")).as(volume.toString()).isTrue();

    // The password from the Secret, as a file; never in the ConfigMap.
    assertThat(target.path("password").asText()).isEqualTo("${file:/etc/pgvigil/secrets/pg-password}");
    assertThat(chart.volume("secrets").at("/secret/secretName").asText()).isEqualTo("pgvigil-credentials");
    assertThat(pgvigil.path("securityContext")).isEqualTo(
        render(RenderedChart.ciValues("default")).container("pgvigil").path("securityContext"));

    // The grants in the comments: what the README's least-privilege role has, the provider's admin role not,
    // and SELECT on the history table of the example's migration tool.
    String text = Files.readString(file);
    JsonNode migrations = target.path("migrations");
    String history = switch (migrations.path("tool").asText()) {
      case "flyway" -> "public." + migrations.path("table").asText("flyway_schema_history");
      case "prisma" -> "public.\"_prisma_migrations\"";
      default -> throw new AssertionError("no grant known for " + migrations);
    };
    assertThat(text).contains("GRANT pg_monitor TO pgvigil;", "GRANT pg_signal_backend TO pgvigil;",
        "GRANT SELECT ON " + history + " TO pgvigil;");
    var historyGrants = Pattern
        .compile("GRANT SELECT ON (\\S*(flyway_schema_history|_prisma_migrations)\"?) TO").matcher(text);
    while (historyGrants.find()) {
      assertThat(historyGrants.group(1)).as("the history table granted").isEqualTo(history);
    }
    assertThat(text).containsPattern("needs neither\\s+(# )?\\w+");
    assertThat(text).doesNotContainPattern("(?i)GRANT (rds_superuser|cloudsqlsuperuser|azure_pg_admin)");
  }

  /**
   * A ConfigMap volume holds no directories: Prisma's {@code <name>/migration.sql} from one needs
   * {@code items} mapping each key there.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void prismaMigrationsFromAConfigMapAreMappedIntoTheirDirectories(String example) {
    RenderedChart chart = render(RenderedChart.CHART.resolve("examples").resolve(example));
    JsonNode migrations = chart.config().at("/targets/0/migrations");
    if (!"prisma".equals(migrations.path("tool").asText())) {
      return;
    }
    String directory = migrations.path("directory").asText();
    for (JsonNode m : chart.container("pgvigil").path("volumeMounts")) {
      JsonNode volume = chart.volume(m.path("name").asText());
      if (directory.equals(m.path("mountPath").asText()) && volume.has("configMap")) {
        assertThat(volume.at("/configMap/items")).as(volume.toString()).isNotEmpty()
            .allSatisfy(item -> assertThat(item.path("path").asText()).matches("[^/.][^/]*/migration\\.sql"));
      }
    }
  }

  private static Map<String, String> query(URI url) {
    Map<String, String> query = new HashMap<>();
    for (String pair : url.getQuery().split("&")) {
      int eq = pair.indexOf('=');
      query.put(pair.substring(0, eq), pair.substring(eq + 1));
    }
    return query;
  }
}

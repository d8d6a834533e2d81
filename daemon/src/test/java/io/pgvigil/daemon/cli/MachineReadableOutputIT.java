package io.pgvigil.daemon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgvigil.checks.testing.PostgresExtension;
import io.pgvigil.checks.testing.TestPostgres;
import io.pgvigil.checks.testing.TestServers;
import io.pgvigil.daemon.demo.Demo;
import io.pgvigil.daemon.testing.SarifSchema;
import io.pgvigil.daemon.testing.WorkflowCommand;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * stdout is the document: {@code drift} and {@code review} run as the built jar, each starting an
 * embedded shadow (and so Flyway, the launcher and the pools, all of which log), and their stdout
 * is parsed whole, as {@code | jq .} or a SARIF upload would. The logs are on stderr.
 */
@ExtendWith(PostgresExtension.class)
class MachineReadableOutputIT {

  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(3);
  /** The start of a log line, as StderrLogging writes it. */
  private static final Pattern LOG_LINE =
      Pattern
          .compile("(?m)^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}\\S*\\s+(TRACE|DEBUG|INFO|WARN|ERROR)\\s");
  /** Leading or trailing text (a log line before the document) is a parse error, not ignored. */
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  @TempDir
  static Path repo;
  static Path noDrift;
  static Path pending;

  @BeforeAll
  static void migrate(TestPostgres pg) throws Exception {
    Path applied = Files.createDirectories(repo.resolve("applied"));
    Files.writeString(applied.resolve("V1__accounts.sql"),
        "CREATE TABLE accounts (id bigint PRIMARY KEY, email text);\n");
    Demo.migrate(pg.jdbcUrl(), applied);
    Path withPending = Files.createDirectories(repo.resolve("pending"));
    Files.copy(applied.resolve("V1__accounts.sql"), withPending.resolve("V1__accounts.sql"));
    Files.writeString(withPending.resolve("V2__narrow_ids.sql"), "ALTER TABLE accounts ALTER COLUMN id TYPE int;\n");
    noDrift = config(pg, "applied");
    pending = config(pg, "pending");
  }

  @Test
  void driftJsonIsOnlyTheDocument() throws Exception {
    JarProcess.Finished run = JarProcess.run(repo, RUN_TIMEOUT, "drift", "--config", noDrift.toString(),
        "--format", "json");

    assertThat(run.exit()).as(run.stderr()).isEqualTo(0);
    JsonNode report = JSON.readTree(run.stdout());
    assertThat(report.at("/targets/0/target").asText()).isEqualTo("app");
    assertThat(run.stderr()).as("the logs are on stderr").containsPattern(LOG_LINE)
        .contains("expected schema: replay of 1 applied flyway migration");
  }

  @Test
  void jsonLogsAreOneObjectPerStderrLineAndStdoutStaysTheDocument() throws Exception {
    JarProcess.Finished run = JarProcess.run(repo, RUN_TIMEOUT,
        Map.of("PGVIGIL_LOG_FORMAT", "json", "PGVIGIL_LOG_LEVEL", "debug"), "drift", "--config", noDrift.toString(),
        "--format", "json");

    assertThat(run.exit()).as(run.stderr()).isEqualTo(0);
    assertThat(JSON.readTree(run.stdout()).at("/targets/0/target").asText()).isEqualTo("app");
    assertThat(run.stderr()).doesNotContainPattern(LOG_LINE);
    // Beside the command's own progress lines (text, for people), every log event is one JSON object on its line.
    List<JsonNode> events = new ArrayList<>();
    for (String line : run.stderr().lines().filter(l -> !l.startsWith("checking ")).toList()) {
      events.add(JSON.readTree(line));
    }
    assertThat(events).isNotEmpty().allSatisfy(e -> assertThat(e.has("level") && e.has("loggerName")
        && e.has("message") && e.has("timestamp")).as(e.toString()).isTrue());
    assertThat(events).anySatisfy(e -> {
      assertThat(e.get("level").asText()).isEqualTo("INFO");
      assertThat(e.get("loggerName").asText()).endsWith(".ExpectedSchemas");
      assertThat(e.get("formattedMessage").asText()).startsWith("expected schema: replay of 1 applied flyway");
    });
    assertThat(events).anySatisfy(e -> assertThat(e.get("level").asText()).isEqualTo("DEBUG"));
  }

  @Test
  void aLogbackConfigurationFileThatIsMissingKeepsTheLogsOnStderr() throws Exception {
    // Logback, left to find the file itself, falls back to DEBUG on stdout.
    JarProcess.Finished run = JarProcess.run(repo, RUN_TIMEOUT,
        Map.of("JAVA_TOOL_OPTIONS", "-Dlogback.configurationFile=missing-logback.xml"), "drift", "--config",
        noDrift.toString(), "--format", "json");

    assertThat(run.exit()).as(run.stderr()).isEqualTo(0);
    assertThat(JSON.readTree(run.stdout()).at("/targets/0/target").asText()).isEqualTo("app");
    assertThat(run.stderr()).contains("Picked up JAVA_TOOL_OPTIONS").containsPattern(LOG_LINE)
        .contains("ERROR StderrLogging - logback.configurationFile names 'missing-logback.xml'")
        .doesNotContain(" DEBUG ");
  }

  @Test
  void driftTextIsOnlyTheReport() throws Exception {
    JarProcess.Finished run = JarProcess.run(repo, RUN_TIMEOUT, "drift", "--config", noDrift.toString());

    assertThat(run.exit()).as(run.stderr()).isEqualTo(0);
    // The text report's grammar: a "target: verdict" line, then lines indented under it.
    assertThat(run.stdout().lines()).isNotEmpty().first().asString().startsWith("app: ");
    assertThat(run.stdout().lines().skip(1)).allMatch(line -> line.startsWith("  "));
    assertThat(run.stdout()).contains("  schema: matches the history");
    assertThat(run.stderr()).contains("checking app").containsPattern(LOG_LINE);
  }

  @Test
  void reviewJsonIsOnlyTheDocument() throws Exception {
    JarProcess.Finished run = JarProcess.run(repo, RUN_TIMEOUT, "review", "--config", pending.toString(),
        "--format", "json");

    assertThat(run.exit()).as(run.stderr()).isEqualTo(2);
    JsonNode report = JSON.readTree(run.stdout());
    assertThat(report.get("passed").asBoolean()).isFalse();
    assertThat(report.at("/targets/0/findings/0/rule").asText()).isNotBlank();
    assertThat(run.stderr()).contains("reviewing app").doesNotContain("initSql");
  }

  @Test
  void reviewSarifIsOnlyTheLog() throws Exception {
    JarProcess.Finished run = JarProcess.run(repo, RUN_TIMEOUT, "review", "--config", pending.toString(),
        "--format", "sarif");

    assertThat(run.exit()).as(run.stderr()).isEqualTo(2);
    JsonNode log = JSON.readTree(run.stdout());
    assertThat(log.get("version").asText()).isEqualTo("2.1.0");
    assertThat(log.at("/runs/0/results/0/ruleId").asText()).isNotBlank();
    assertThat(SarifSchema.errors(log)).isEmpty();
    // Relative to the working directory (the jar's is the module's), which %SRCROOT% names.
    JsonNode artifact = log.at("/runs/0/results/0/locations/0/physicalLocation/artifactLocation");
    assertThat(artifact.get("uriBaseId").asText()).isEqualTo("%SRCROOT%");
    assertThat(artifact.get("uri").asText()).doesNotStartWith("/").endsWith("pending/V2__narrow_ids.sql");
    Path root = Path.of(URI.create(log.at("/runs/0/originalUriBaseIds/%SRCROOT%/uri").asText()));
    assertThat(root).isEqualTo(Path.of("").toAbsolutePath());
    assertThat(root.resolve(artifact.get("uri").asText())).exists();
  }

  @Test
  void reviewGithubIsOnlyWorkflowCommandsAndTheSummary() throws Exception {
    JarProcess.Finished run = JarProcess.run(repo, RUN_TIMEOUT, "review", "--config", pending.toString(),
        "--format", "github");

    assertThat(run.exit()).as(run.stderr()).isEqualTo(2);
    List<String> lines = run.stdout().lines().toList();
    assertThat(lines.get(lines.size() - 1)).startsWith("review: 1 pending migration, 1 block").endsWith(": FAIL "
        + "(--fail-on block)");
    List<WorkflowCommand> commands = lines.subList(0, lines.size() - 1).stream().map(WorkflowCommand::parse)
        .toList();
    assertThat(commands).isNotEmpty().allSatisfy(c -> {
      assertThat(c.properties()).containsEntry("line", "1");
      assertThat(c.properties().get("file")).doesNotStartWith("/").endsWith("pending/V2__narrow_ids.sql");
      assertThat(Path.of(c.properties().get("file"))).exists();
    });
    assertThat(commands).anySatisfy(c -> {
      assertThat(c.name()).isEqualTo("error");
      assertThat(c.properties()).containsEntry("title", "pgvigil block: table-rewrite");
    });
  }

  @Test
  void whatAnOfflineReviewSkippedIsANotificationInSarifAndAWarningInGithub() throws Exception {
    String[] offline = {"review", "--config", pending.toString(), "--offline", "--pg-major",
        String.valueOf(TestServers.major()), "--applied-through", "V1", "--no-cache", "--format"};
    String[] sarif = Arrays.copyOf(offline, offline.length + 1);
    sarif[offline.length] = "sarif";
    String[] github = Arrays.copyOf(offline, offline.length + 1);
    github[offline.length] = "github";

    JarProcess.Finished sarifRun = JarProcess.run(repo, RUN_TIMEOUT, sarif);
    JarProcess.Finished githubRun = JarProcess.run(repo, RUN_TIMEOUT, github);

    assertThat(sarifRun.exit()).as(sarifRun.stderr()).isEqualTo(2);
    JsonNode log = JSON.readTree(sarifRun.stdout());
    assertThat(SarifSchema.errors(log)).isEmpty();
    assertThat(log.at("/runs/0/invocations/0/executionSuccessful").asBoolean()).isTrue();
    assertThat(log.at("/runs/0/invocations/0/toolExecutionNotifications/0/level").asText()).isEqualTo("warning");
    assertThat(log.at("/runs/0/invocations/0/toolExecutionNotifications/0/message/text").asText())
        .isEqualTo("app: skipped (offline): data-aware probes, live sizes");
    List<String> lines = githubRun.stdout().lines().toList();
    assertThat(lines.subList(0, lines.size() - 1).stream().map(WorkflowCommand::parse)).anySatisfy(c -> {
      assertThat(c.name()).isEqualTo("warning");
      assertThat(c.properties()).containsEntry("title", "pgvigil review: app offline");
      assertThat(c.message()).isEqualTo("skipped (offline): data-aware probes, live sizes");
    });
  }

  /** The accounts table is empty: only a budget below its size keeps the pending rewrite a block. */
  private static Path config(TestPostgres pg, String location) throws Exception {
    return Files.writeString(repo.resolve(location + ".yaml"), """
        targets:
          - name: app
            url: postgresql://%s@%s:%d/%s
            migrations: { tool: flyway, locations: [./%s] }
            review: { budgets: { rewriteBytes: 1B } }
        """.formatted(pg.user() + (pg.password() == null ? "" : ":" + pg.password()), pg.host(), pg.port(),
        pg.database(), location));
  }
}

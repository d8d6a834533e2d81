package io.pgvigil.daemon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgvigil.daemon.testing.CliRun;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CliTest {

  @TempDir
  Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return CliRun.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
  }

  @Test
  void checkConfigPrintsASummaryAndExitsZeroForAValidFile() throws IOException {
    Path config = write("""
        server: { listen: 127.0.0.1:9187, apiToken: s3cr3t-token-value }
        targets:
          - name: app
            url: postgresql://pgvigil@db.internal:5432/app
            password: hunter2-password
        """);

    assertThat(run("check-config", "--config", config.toString())).isEqualTo(0);
    assertThat(out.toString())
        .contains("is valid")
        .contains("app")
        .contains("db.internal")
        .doesNotContain("s3cr3t-token-value")
        .doesNotContain("hunter2-password");
  }

  @Test
  void checkConfigPrintsEveryProblemAndExitsOneForAnInvalidFile() throws IOException {
    Path config = write("""
        targets:
          - name: app
            url: postgresql://pgvigil@db:5432/app
            watch: { interval: -1s }
            colour: blue
        """);

    assertThat(run("check-config", "--config", config.toString())).isEqualTo(1);
    assertThat(err.toString())
        .contains("is not valid (2 problems)")
        .contains("targets[0].watch.interval")
        .contains("targets[0].colour");
  }

  @Test
  void checkConfigOfAMissingFileSaysWhichFile() {
    Path missing = dir.resolve("nope.yaml");

    assertThat(run("check-config", "--config", missing.toString())).isEqualTo(1);
    assertThat(err.toString()).contains("nope.yaml").doesNotContain("Exception");
  }

  @Test
  void aMissingRequiredOptionIsAnErrorWithExitCodeOne() {
    assertThat(run("check-config")).isEqualTo(1);
    assertThat(err.toString()).contains("--config").contains("--help");
  }

  @Test
  void anUnknownCommandIsAnErrorWithExitCodeOne() {
    assertThat(run("frobnicate")).isEqualTo(1);
    assertThat(err.toString()).contains("frobnicate");
  }

  @ParameterizedTest
  @ValueSource(strings = {"drift", "review"})
  void aOneShotCommandWithAMissingConfigFileExitsOne(String command) {
    assertThat(run(command, "--config", "whatever.yaml")).isEqualTo(1);
    assertThat(err.toString()).contains("whatever.yaml");
  }

  @ParameterizedTest
  @ValueSource(strings = {"run", "demo", "check-config", "drift", "review", "window", "silence"})
  void everyCommandHasHelp(String command) {
    assertThat(run(command, "--help")).isEqualTo(0);
    assertThat(out.toString()).contains("Usage: pgvigil " + command).contains("Exit codes");
  }

  @Test
  void helpListsEveryCommand() {
    assertThat(run("--help")).isEqualTo(0);
    assertThat(out.toString()).contains("run", "demo", "check-config", "drift", "review", "window",
        "silence");
  }

  @Test
  void silenceAddWantsATtlOrAnEndButNotBothAndAComment() {
    assertThat(run("silence", "add", "--target", "app", "--comment", "deploy")).isEqualTo(1);
    assertThat(err.toString()).contains("--ttl", "--ends-at");
    assertThat(run("silence", "add", "--target", "app", "--ttl", "2h", "--ends-at", "2026-12-02T08:00:00Z",
        "--comment", "deploy")).isEqualTo(1);
    assertThat(err.toString()).contains("mutually exclusive");
    assertThat(run("silence", "add", "--target", "app", "--ttl", "2h")).isEqualTo(1);
    assertThat(err.toString()).contains("--comment");
  }

  @Test
  void silenceHelpNamesEverySubcommandAndTheMatchers() {
    assertThat(run("silence", "--help")).isEqualTo(0);
    assertThat(out.toString()).contains("add", "list", "expire");
    assertThat(run("silence", "add", "--help")).isEqualTo(0);
    assertThat(out.toString()).contains("--target", "--rule", "--object", "--ttl", "--ends-at", "--comment",
        "--created-by", "--url", "--token-file");
  }

  private Path write(String yaml) throws IOException {
    Path file = dir.resolve("pgvigil.yaml");
    Files.writeString(file, yaml);
    return file;
  }
}

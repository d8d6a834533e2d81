package io.pgvigil.daemon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgvigil.daemon.testing.CliRun;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** An error that escapes a subcommand: one line on stderr, and the stack trace with --verbose. */
class ErrorReporterTest {

  /** Nothing listens on port 1: the connection is refused at once. */
  private static final String NOBODY = "http://127.0.0.1:1";

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return CliRun.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
  }

  @Test
  void anErrorIsOneLineWithoutVerbose() {
    assertThat(run("window", "list", "--url", NOBODY)).isEqualTo(1);

    assertThat(err.toString().lines()).singleElement().asString()
        .startsWith("error: cannot reach pgvigil at " + NOBODY);
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void verboseOnASubcommandAddsTheStackTrace() {
    assertThat(run("window", "list", "--url", NOBODY, "--verbose")).isEqualTo(1);

    assertThat(err.toString().lines().findFirst()).hasValueSatisfying(
        first -> assertThat(first).startsWith("error: cannot reach pgvigil at " + NOBODY));
    assertThat(err.toString()).contains("java.lang.IllegalStateException").contains("\tat ")
        .contains("Caused by: ");
  }

  @Test
  void theCredentialsOfAUrlNeverAppearInAnErrorNorItsTrace() {
    assertThat(run("window", "list", "--url", "http://ci:hunter2-pass@127.0.0.1:1", "--verbose")).isEqualTo(1);

    assertThat(err.toString()).contains("cannot reach pgvigil at http://127.0.0.1:1")
        .doesNotContain("hunter2-pass").doesNotContain("ci:");
  }

  @Test
  void theCredentialsOfAMalformedUrlNeverAppearEither() {
    assertThat(run("window", "list", "--url", "http://ci:hunter2-pass@127.0.0.1:1/a b")).isEqualTo(1);

    assertThat(err.toString()).contains("is not a valid URL").doesNotContain("hunter2-pass");
  }
}

package io.pgvigil.daemon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line the jar builds for its first argument: only that command when it names one, else all. */
class FirstArgumentTest {

  @Test
  void aNamedCommandIsBuiltAloneAndWorksAsAmongAll() {
    CommandLine review = Main.commandLine("review");
    StringWriter out = new StringWriter();

    int exit = review.setOut(new PrintWriter(out)).execute("review", "--help");

    assertThat(review.getSubcommands()).containsOnlyKeys("review");
    assertThat(exit).isZero();
    assertThat(out.toString()).startsWith("Usage: pgvigil review ").contains("--offline");
  }

  @Test
  void helpAndAnythingElseGetEveryCommand() {
    for (String first : new String[] {"help", "", "--help", "reveiw"}) {
      assertThat(Main.commandLine(first).getSubcommands()).as(first).containsOnlyKeys("run", "demo",
          "check-config", "drift", "review", "window", "silence", "help");
    }
    StringWriter err = new StringWriter();
    int exit = Main.commandLine("reveiw").setErr(new PrintWriter(err)).execute("reveiw");
    assertThat(exit).isEqualTo(ExitCode.ERROR);
    assertThat(err.toString()).startsWith("error: Unmatched argument at index 0: 'reveiw'");
  }
}

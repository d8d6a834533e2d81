package io.pgvigil.daemon.testing;

import io.pgvigil.daemon.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;

/** One in-process run of the command line: its exit code and what it printed. */
public record CliRun(int exit, String out, String err) {

  public static CliRun run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new CliRun(exit, out.toString(), err.toString());
  }

  public static int execute(PrintWriter out, PrintWriter err, String... args) {
    return Main.commandLine().setOut(out).setErr(err).execute(args);
  }
}

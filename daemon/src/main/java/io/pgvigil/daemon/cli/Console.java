package io.pgvigil.daemon.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Mixed into every command: its output and error streams, and {@code --verbose} (stack traces with errors). */
final class Console {

  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  @Option(names = "--verbose", description = "Print stack traces with errors; review and drift also print the "
      + "seconds since start on each progress line, drift each phase with its time.")
  boolean verbose;

  PrintWriter out() {
    return command.commandLine().getOut();
  }

  PrintWriter err() {
    return command.commandLine().getErr();
  }
}

package io.pgvigil.daemon.cli;

import io.pgvigil.daemon.watch.Failures;
import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * Turns an exception that escaped a command into one line on stderr and exit
 * code 1. The stack trace is printed only with {@code --verbose}.
 */
final class ErrorReporter implements CommandLine.IExecutionExceptionHandler {

  @Override
  public int handleExecutionException(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
    PrintWriter err = cli.getErr();
    String message = Failures.message(e);
    err.println("error: " + message.strip().replaceAll("\\s*\\R\\s*", "; "));
    if (verbose(parsed)) {
      e.printStackTrace(err);
    }
    err.flush();
    return ExitCode.ERROR;
  }

  /**
   * Whether {@code --verbose} was given to any command on the line. {@code parsed} is the top
   * level's result ({@code pgvigil}), which never has the option: every subcommand mixes it in.
   */
  static boolean verbose(CommandLine.ParseResult parsed) {
    for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
      if (p.hasMatchedOption("--verbose")) {
        return true;
      }
    }
    return false;
  }
}

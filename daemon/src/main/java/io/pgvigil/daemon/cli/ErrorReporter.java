package io.pgvigil.daemon.cli;

import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * Turns an exception that escaped a command into one line on stderr and exit
 * code 1. The stack trace is printed only with {@code --verbose}.
 */
final class ErrorReporter implements CommandLine.IExecutionExceptionHandler {

  @Override
  public int handleExecutionException(Exception e, CommandLine cli,
      CommandLine.ParseResult parsed) {
    PrintWriter err = cli.getErr();
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    err.println("error: " + message);
    if (parsed.hasMatchedOption("--verbose")) {
      e.printStackTrace(err);
    }
    err.flush();
    return ExitCode.ERROR;
  }
}

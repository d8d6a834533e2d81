package io.pgvigil.daemon.cli;

import picocli.CommandLine.Option;

/** {@code --verbose}, mixed into every command: adds stack traces to error messages. */
final class Verbosity {

  @Option(names = "--verbose", description = "Print stack traces with errors.")
  boolean verbose;
}

package io.pgvigil.daemon.cli;

/** The exit codes every command keeps to (see the README's CLI reference). */
final class ExitCode {

  static final int OK = 0;
  static final int ERROR = 1;
  /** Drift found, or the review failed its --fail-on level. */
  static final int FINDINGS = 2;

  private ExitCode() {}
}

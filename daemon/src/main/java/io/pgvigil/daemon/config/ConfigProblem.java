package io.pgvigil.daemon.config;

/**
 * One thing wrong with the configuration, at a path such as {@code targets[0].watch.interval}.
 * The message says what is wrong and how to fix it; it never contains a secret value.
 */
public record ConfigProblem(String path, String message) {

  @Override
  public String toString() {
    return path + ": " + message;
  }
}

package io.pgvigil.daemon.config;

/** One thing wrong at a path such as {@code targets[0].watch.interval}; the message never contains a secret. */
public record ConfigProblem(String path, String message) {

  @Override
  public String toString() {
    return path + ": " + message;
  }
}

package io.pgvigil.daemon.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Progress lines on stderr; with {@code --verbose} each carries the seconds since the JVM started, so that a slow
 * phase (JVM start, the history read, the shadow's start, the replay) shows where it is.
 */
final class Progress {

  private Progress() {}

  static Consumer<String> to(PrintWriter err, boolean timed) {
    Instant start = ProcessHandle.current().info().startInstant().orElse(Instant.now());
    return line -> {
      if (timed) {
        double seconds = Duration.between(start, Instant.now()).toMillis() / 1000.0;
        err.println(String.format(Locale.ROOT, "[%6.2f s] %s", seconds, line));
      } else {
        err.println(line);
      }
      err.flush();
    };
  }
}

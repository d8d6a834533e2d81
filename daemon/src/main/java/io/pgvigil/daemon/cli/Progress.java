package io.pgvigil.daemon.cli;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
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
    if (!timed) {
      return line -> {
        err.println(line);
        err.flush();
      };
    }
    // The JVM's own start time, in milliseconds: the process's (from /proc) is counted from a boot time rounded to
    // the second, and was seen 0.6 s off.
    Instant start = Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime());
    return line -> {
      double seconds = Duration.between(start, Instant.now()).toMillis() / 1000.0;
      err.println(String.format(Locale.ROOT, "[%6.2f s] %s", seconds, line));
      err.flush();
    };
  }
}

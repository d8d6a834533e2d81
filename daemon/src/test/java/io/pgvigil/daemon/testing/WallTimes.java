package io.pgvigil.daemon.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;

/** The benches' stopwatch: wall time of whole processes, as users run them, and the min / median / max line. */
public final class WallTimes {

  private WallTimes() {}

  /**
   * Wall milliseconds of {@code runs} runs of {@code command}, output to {@code log}. {@code clear}, if given, is
   * deleted before each run (a cold cache); an exit code {@code failed} accepts fails the bench with the log.
   */
  public static List<Long> time(List<String> command, Map<String, String> env, int runs, Path clear, Path log,
      IntPredicate failed) throws IOException, InterruptedException {
    List<Long> times = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      if (clear != null) {
        deleteTree(clear);
      }
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      builder.environment().putAll(env);
      long start = System.nanoTime();
      Process process = builder.start();
      if (!process.waitFor(5, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new IllegalStateException("no answer within 5 minutes: " + command);
      }
      times.add((System.nanoTime() - start) / 1_000_000);
      if (failed.test(process.exitValue())) {
        throw new IllegalStateException(String.join(" ", command) + " exited " + process.exitValue() + ":\n"
            + Files.readString(log, StandardCharsets.UTF_8));
      }
    }
    return times;
  }

  /** The CLI jar the benches time: {@code -Dbench.jar}, else the packaged one; fails saying how to build it. */
  public static Path cliJar() {
    Path jar = Path.of(System.getProperty("bench.jar", "daemon/target/pgvigil.jar")).toAbsolutePath();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: run mvn -B -o -q package -pl daemon -am -DskipTests");
    }
    return jar;
  }

  /** One line: what, then min / median / max in seconds. */
  public static void report(String what, List<Long> ms) {
    List<Long> sorted = new ArrayList<>(ms);
    Collections.sort(sorted);
    System.out.printf(Locale.ROOT, "%-50s %6.2f s / %6.2f s / %6.2f s%n", what, sorted.get(0) / 1000.0,
        sorted.get(sorted.size() / 2) / 1000.0, sorted.get(sorted.size() - 1) / 1000.0);
  }

  public static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  public static void deleteTree(Path root) throws IOException {
    if (Files.exists(root)) {
      try (var paths = Files.walk(root)) {
        for (Path p : paths.sorted(Collections.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }
}

package io.pgvigil.daemon.drift;

import static io.pgvigil.daemon.testing.WallTimes.concat;
import static io.pgvigil.daemon.testing.WallTimes.deleteTree;
import static io.pgvigil.daemon.testing.WallTimes.report;

import io.pgvigil.checks.embedded.EmbeddedPostgres;
import io.pgvigil.checks.testing.TestServers;
import io.pgvigil.daemon.demo.Demo;
import io.pgvigil.daemon.review.ReviewBench;
import io.pgvigil.daemon.testing.WallTimes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How long {@code pgvigil drift} takes as CI runs it: a fresh JVM ({@code java -jar daemon/target/pgvigil.jar},
 * start-up included) comparing a live database migrated by a 25-migration Flyway history (no drift) with what that
 * history replays to, cold (no cached expected schema: initdb, replay, snapshot) and warm (the expected schema read
 * from the cache), then warm with the README's class-data archive and C1 only. Beside it, in the same run, what teams
 * script instead: {@code pg_dump -s} of live and of a reference database migrated by the same history, and {@code
 * diff} of the two (the reference kept up to date by hand, not counted). The server's major is the installed {@code
 * pg_dump}'s when the bundle has it (a pg_dump refuses newer servers), else {@code -Dpgvigil.test.pg}. Each figure is
 * min / median / max of {@code bench.runs} runs (default 5); then one warm run's {@code --verbose} phases. Not a
 * test: run it as BENCHMARKS.md says, after {@code mvn package}.
 *
 * <p>{@code -Dbench.jar=PATH} times another build of the jar; {@code -Dbench.serve=true} sets everything up, prints
 * the command line and keeps the live server up until stdin is closed, so that another timer can run it.
 */
public final class DriftBench {

  private static final int APPLIED = 25;

  private DriftBench() {}

  public static void main(String[] args) throws Exception {
    int runs = Integer.getInteger("bench.runs", 5);
    Path jar = WallTimes.cliJar();
    Path work = Path.of("daemon/target/drift-bench").toAbsolutePath();
    deleteTree(work);
    Path location = Files.createDirectories(work.resolve("db/migration"));
    Path data = work.resolve("data");
    Integer dumpMajor = pgDumpMajor();
    int major = dumpMajor != null && EmbeddedPostgres.bundledMajors().contains(dumpMajor) ? dumpMajor
        : TestServers.major();
    try (EmbeddedPostgres live = EmbeddedPostgres.builder().major(major)
        .binariesCache(TestServers.binariesCache()).name("drift-bench-live").start()) {
      ReviewBench.writeHistory(location, APPLIED);
      try (Connection c = DriverManager.getConnection(live.jdbcUrl("postgres"));
          Statement s = c.createStatement()) {
        s.execute("CREATE DATABASE reference");
      }
      for (String db : List.of("postgres", "reference")) {
        Demo.migrate(live.jdbcUrl(db), location);
      }
      Path config = Files.writeString(work.resolve("pgvigil.yaml"), """
          targets:
            - name: app
              url: %s
              migrations: { tool: flyway, locations: [./db/migration] }
          """.formatted(live.uri("postgres")));
      List<String> drift = List.of("drift", "--config", config.toString());
      List<String> plain = concat(List.of("java", "-jar", jar.toString()), drift);
      Map<String, String> env = Map.of("PGVIGIL_DATA_DIR", data.toString());
      Path log = work.resolve("last-run.log");
      System.out.printf(Locale.ROOT, "PostgreSQL %s, %d applied Flyway migrations, no drift, %d runs each, %d cores; "
          + "wall time of the whole process (JVM start included), min / median / max%n", live.version(), APPLIED,
          runs, Runtime.getRuntime().availableProcessors());
      if (Boolean.getBoolean("bench.serve")) { // set up, print the command, keep live up until stdin is closed
        System.out.println("PGVIGIL_DATA_DIR=" + data + " " + String.join(" ", plain));
        System.out.flush();
        while (System.in.read() >= 0) {
          // wait
        }
        return;
      }
      List<Path> caches = List.of(data.resolve("drift-cache"), data.resolve("shadow-cache"));
      report("drift, cold (no cached expected schema)", cold(plain, env, runs, caches, log));
      WallTimes.time(plain, env, 1, null, log, code -> code != 0); // fills the cache
      report("drift, warm", WallTimes.time(plain, env, runs, null, log, code -> code != 0));
      Path archive = work.resolve("pgvigil.jsa");
      WallTimes.time(concat(List.of("java", "-XX:ArchiveClassesAtExit=" + archive, "-jar", jar.toString()), drift),
          env, 1, null, log, code -> code != 0);
      report("drift, warm, class-data archive + C1", WallTimes.time(concat(List.of("java",
          "-XX:SharedArchiveFile=" + archive, "-XX:TieredStopAtLevel=1", "-jar", jar.toString()), drift), env, runs,
          null, log, code -> code != 0));
      if (dumpMajor == null || dumpMajor != major) {
        System.out.println("pg_dump -s x2 + diff: skipped (no pg_dump of PostgreSQL " + major + " installed)");
      } else {
        Path a = work.resolve("live.sql");
        Path b = work.resolve("reference.sql");
        // A fixed \\restrict key: pg_dump draws a random one per dump, which would differ every time.
        String dump = "pg_dump -s --restrict-key=bench -d ";
        List<String> peer = List.of("sh", "-c", dump + "\"$1\" -f \"$3\" && " + dump + "\"$2\" -f \"$4\" && "
            + "diff -u \"$4\" \"$3\"", "peer", live.uri("postgres"), live.uri("reference"), a.toString(),
            b.toString());
        report("pg_dump -s x2 + diff", WallTimes.time(peer, env, runs, null, log, code -> code != 0));
      }
      WallTimes.time(concat(plain, List.of("--verbose")), env, 1, null, log, code -> code != 0);
      System.out.println("one warm run's phases (drift --verbose):");
      Files.readAllLines(log, StandardCharsets.UTF_8).stream().filter(l -> l.contains("phase") || l.contains(" ms"))
          .forEach(l -> System.out.println("  " + l));
    }
  }

  private static List<Long> cold(List<String> command, Map<String, String> env, int runs, List<Path> caches,
      Path log) throws IOException, InterruptedException {
    List<Long> times = new java.util.ArrayList<>();
    for (int i = 0; i < runs; i++) {
      for (Path cache : caches) {
        deleteTree(cache);
      }
      times.addAll(WallTimes.time(command, env, 1, null, log, code -> code != 0));
    }
    return times;
  }

  /** The installed pg_dump's major, or null without one. */
  private static Integer pgDumpMajor() throws InterruptedException {
    try {
      Process p = new ProcessBuilder("pg_dump", "--version").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        return null;
      }
      Matcher m = Pattern.compile("(\\d+)\\.\\d+").matcher(out);
      return m.find() ? Integer.valueOf(m.group(1)) : null;
    } catch (IOException e) {
      return null;
    }
  }
}

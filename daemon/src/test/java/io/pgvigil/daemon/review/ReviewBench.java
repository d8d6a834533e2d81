package io.pgvigil.daemon.review;

import static io.pgvigil.daemon.testing.WallTimes.concat;
import static io.pgvigil.daemon.testing.WallTimes.deleteTree;
import static io.pgvigil.daemon.testing.WallTimes.report;

import io.pgvigil.checks.embedded.EmbeddedPostgres;
import io.pgvigil.checks.testing.TestServers;
import io.pgvigil.daemon.demo.Demo;
import io.pgvigil.daemon.testing.WallTimes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How long {@code pgvigil review} takes as users run it: a fresh JVM ({@code java -jar daemon/target/pgvigil.jar},
 * start-up included) reviewing one pending migration on a 50-migration Flyway history, cold (empty shadow cache) and
 * warm, online (history read from a live embedded server) and {@code --offline}; beside it {@code squawk} (npm
 * package squawk-cli) linting the same pending file, in the same run. Each figure is min / median / max of
 * {@code bench.runs} runs (default 5). Not a test: run it as BENCHMARKS.md says, after {@code mvn package}.
 *
 * Then the warm runs again with the README's class-data archive (one training run) and the C1 compiler only.
 *
 * <p>{@code -Dbench.jar=PATH} times another build of the jar (an older one kept for a before/after).
 *
 * <p>{@code -Dbench.serve=true}: set everything up, print the command lines, and keep the live server up until
 * stdin is closed, so that another timer can run them.
 */
public final class ReviewBench {

  private static final int APPLIED = 50;
  private static final String SQUAWK_VERSION = "2.66.0";

  private ReviewBench() {}

  public static void main(String[] args) throws Exception {
    int runs = Integer.getInteger("bench.runs", 5);
    Path jar = WallTimes.cliJar();
    Path work = Path.of("daemon/target/review-bench").toAbsolutePath();
    deleteTree(work);
    Path location = Files.createDirectories(work.resolve("db/migration"));
    Path data = work.resolve("data");
    try (EmbeddedPostgres live = EmbeddedPostgres.builder().major(TestServers.major())
        .binariesCache(TestServers.binariesCache()).name("review-bench-live").start()) {
      writeHistory(location, APPLIED);
      Demo.migrate(live.jdbcUrl("postgres"), location);
      Path pending = Files.writeString(location.resolve("V51__flag_and_index.sql"), """
          ALTER TABLE t1 ADD COLUMN flagged boolean DEFAULT false;
          CREATE INDEX t2_name_idx ON t2 (name);
          """);
      Path config = Files.writeString(work.resolve("pgvigil.yaml"), """
          targets:
            - name: app
              url: %s
              migrations: { tool: flyway, locations: [./db/migration] }
          """.formatted(live.uri("postgres")));
      List<String> java = List.of("java", "-jar", jar.toString());
      List<String> online = concat(java, List.of("review", "--config", config.toString()));
      List<String> offline = concat(online,
          List.of("--offline", "--pg-major", String.valueOf(live.major()), "--applied-through", "50"));
      List<String> squawk = squawk(work);
      System.out.printf(Locale.ROOT, "PostgreSQL %s, %d applied Flyway migrations + 1 pending, %d runs each, %d "
          + "cores; wall time of the whole process (JVM start included), min / median / max%n", live.version(),
          APPLIED, runs, Runtime.getRuntime().availableProcessors());
      if (Boolean.getBoolean("bench.serve")) {
        serve(data, online, offline, squawk, pending);
        return;
      }
      Path cache = data.resolve("shadow-cache");
      report("review, cold (empty shadow cache)", time(online, data, runs, cache));
      time(online, data, 1, null); // fills the cache
      report("review, warm", time(online, data, runs, null));
      report("review --offline, cold", time(offline, data, runs, cache));
      time(offline, data, 1, null);
      report("review --offline, warm", time(offline, data, runs, null));
      // The README's class-data archive: one training run, then C1 only on the archive.
      Path archive = work.resolve("pgvigil.jsa");
      time(concat(List.of("java", "-XX:ArchiveClassesAtExit=" + archive, "-jar", jar.toString()),
          online.subList(3, online.size())), data, 1, null);
      List<String> cds = List.of("java", "-XX:SharedArchiveFile=" + archive, "-XX:TieredStopAtLevel=1", "-jar",
          jar.toString());
      report("review, warm, class-data archive + C1", time(concat(cds, online.subList(3, online.size())), data,
          runs, null));
      report("review --offline, warm, class-data archive + C1", time(concat(cds, offline.subList(3,
          offline.size())), data, runs, null));
      if (squawk == null) {
        System.out.println("squawk: skipped (npm is not installed)");
      } else {
        report("squawk " + SQUAWK_VERSION + " on the pending file", time(concat(squawk,
            List.of(pending.toString())), data, runs, null));
      }
    }
  }

  /**
   * {@code count} migrations as a service's history grows: tables, columns, indexes, keys, a view and a function.
   * Also the drift bench's history.
   */
  public static void writeHistory(Path location, int count) throws IOException {
    int tables = 0;
    for (int v = 1; v <= count; v++) {
      String sql;
      if (v % 5 == 1) {
        tables++;
        sql = "CREATE TABLE t" + tables + " (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL,"
            + " parent_id bigint, created timestamptz NOT NULL DEFAULT now());\n";
      } else if (v % 5 == 2) {
        sql = "ALTER TABLE t" + tables + " ADD COLUMN status text NOT NULL DEFAULT 'new';\n"
            + "ALTER TABLE t" + tables + " ADD CONSTRAINT t" + tables + "_status_check CHECK (status <> '');\n";
      } else if (v % 5 == 3) {
        sql = "CREATE INDEX t" + tables + "_created_idx ON t" + tables + " (created);\n";
      } else if (v % 5 == 4) {
        sql = tables == 1 ? "COMMENT ON TABLE t1 IS 'the first';\n"
            : "ALTER TABLE t" + tables + " ADD CONSTRAINT t" + tables + "_parent_fk FOREIGN KEY (parent_id) "
                + "REFERENCES t" + (tables - 1) + " (id) NOT VALID;\n";
      } else {
        sql = "CREATE VIEW t" + tables + "_recent AS SELECT id, name FROM t" + tables
            + " WHERE created > now() - interval '1 day';\n"
            + "CREATE FUNCTION t" + tables + "_count() RETURNS bigint LANGUAGE sql STABLE AS $$ SELECT count(*) FROM t"
            + tables + " $$;\n";
      }
      Files.writeString(location.resolve("V" + v + "__step_" + v + ".sql"), sql);
    }
  }

  /** squawk's command, installing squawk-cli under daemon/target/squawk once; null without npm. */
  private static List<String> squawk(Path work) throws Exception {
    Path prefix = work.resolveSibling("squawk");
    Path bin = prefix.resolve("node_modules/.bin/squawk");
    if (!Files.isExecutable(bin)) {
      try {
        Process npm = new ProcessBuilder("npm", "install", "--prefix", prefix.toString(),
            "squawk-cli@" + SQUAWK_VERSION).inheritIO().start();
        if (npm.waitFor() != 0) {
          System.out.println("squawk: npm install squawk-cli@" + SQUAWK_VERSION + " failed");
          return null;
        }
      } catch (IOException e) {
        return null; // no npm
      }
    }
    return List.of(bin.toString());
  }

  private static void serve(Path data, List<String> online, List<String> offline, List<String> squawk, Path pending)
      throws IOException {
    System.out.println("PGVIGIL_DATA_DIR=" + data);
    System.out.println("online:  " + String.join(" ", online));
    System.out.println("offline: " + String.join(" ", offline));
    if (squawk != null) {
      System.out.println("squawk:  " + String.join(" ", squawk) + " " + pending);
    }
    System.out.println("serving until stdin is closed");
    System.out.flush();
    while (System.in.read() >= 0) {
      // wait
    }
  }

  /** Wall milliseconds of each run; {@code clear}, if given, is deleted before each run (a cold cache). */
  private static List<Long> time(List<String> command, Path data, int runs, Path clear) throws Exception {
    // pgvigil exits 1 on an error (2 is findings); squawk exits 1 on findings.
    return WallTimes.time(command, Map.of("PGVIGIL_DATA_DIR", data.toString()), runs, clear,
        data.resolveSibling("last-run.log"), code -> code == 1 && command.contains("review"));
  }
}

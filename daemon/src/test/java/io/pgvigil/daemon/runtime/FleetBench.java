package io.pgvigil.daemon.runtime;

import io.pgvigil.checks.embedded.EmbeddedPostgres;
import io.pgvigil.checks.testing.TestServers;
import io.pgvigil.daemon.testing.DaemonProcess;
import io.pgvigil.daemon.testing.Ports;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fleet in one daemon: one local PostgreSQL with {@code fleet.targets} databases (default 200),
 * one {@code pgvigil run} process watching each as a static target at {@code watch.interval: 1s},
 * started with the container image's JVM options (the {@code JAVA_TOOL_OPTIONS} line of
 * {@code helm/Dockerfile}, or {@code -Dfleet.jvm="..."}). Prints how long after the process was
 * started every target had its first lock poll, then at rest (after {@code fleet.settle}, 20 s):
 * the process's CPU over {@code fleet.window} (60 s) in % of one core, its RSS (VmRSS, VmHWM),
 * threads and heap used, and pgvigil's connections per database ({@code pg_stat_activity}). With
 * {@code -Dfleet.exporter=/usr/bin/prometheus-postgres-exporter}, the same figures for the exporter
 * with {@code --auto-discover-databases}, scraped every second, on the same databases after.
 *
 * <p>Run as BENCHMARKS.md says, from the repository root: the daemon gets this JVM's class path.
 */
public final class FleetBench {

  private static final Pattern TOOL_OPTIONS = Pattern.compile("^ENV JAVA_TOOL_OPTIONS=\"([^\"]*)\"", Pattern.MULTILINE);

  public static void main(String[] args) throws Exception {
    int targets = Integer.getInteger("fleet.targets", 200);
    Duration settle = Duration.ofSeconds(Integer.getInteger("fleet.settle", 20));
    Duration window = Duration.ofSeconds(Integer.getInteger("fleet.window", 60));
    List<String> jvm = jvmOptions();
    Path work = Files.createTempDirectory("pgvigil-fleet");
    System.out.printf("%d targets at interval 1s; JVM options %s; %d cores%n", targets, jvm,
        Runtime.getRuntime().availableProcessors());
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder().major(TestServers.major())
        .binariesCache(TestServers.binariesCache()).dataDirectory(work.resolve("pg"))
        .setting("max_connections", Integer.toString(targets * 6 + 50)).start()) {
      String jdbc = pg.jdbcUrl("postgres");
      createDatabases(jdbc, targets);
      if (!Boolean.getBoolean("fleet.cold")) {
        firstSessions(pg, targets);
      }
      int port = Ports.free();
      StringBuilder config = new StringBuilder("server: { listen: 127.0.0.1:" + port + " }\ntargets:\n");
      for (int i = 0; i < targets; i++) {
        config.append("  - { name: ").append(database(i)).append(", url: \"").append(pg.uri(database(i)))
            .append("\", watch: { interval: 1s } }\n");
      }
      Instant started = Instant.now();
      Process daemon = DaemonProcess.start(work.resolve("daemon"), config.toString(), jvm);
      try {
        firstPolls(new Http(port), targets, started, daemon);
        TimeUnit.SECONDS.sleep(settle.toSeconds());
        System.out.println("pgvigil:");
        atRest(daemon.pid(), jdbc, "application_name = 'pgvigil'", window, () -> {});
        heap(new Http(port).get("/metrics").body());
      } finally {
        stop(daemon);
      }
      String exporter = System.getProperty("fleet.exporter");
      if (exporter != null) {
        exporter(exporter, pg, jdbc, targets, settle, window);
      }
    }
  }

  /**
   * The peer: prometheus-postgres-exporter with {@code --auto-discover-databases} on the same
   * databases, scraped every second as Prometheus would.
   */
  private static void exporter(String binary, EmbeddedPostgres pg, String jdbc, int targets, Duration settle,
      Duration window) throws Exception {
    int port = Ports.free();
    ProcessBuilder builder = new ProcessBuilder(binary, "--auto-discover-databases",
        "--web.listen-address=127.0.0.1:" + port)
        .redirectErrorStream(true)
        .redirectOutput(Path.of(System.getProperty("java.io.tmpdir"), "exporter.log").toFile());
    builder.environment().put("DATA_SOURCE_NAME", pg.uri("postgres") + "?sslmode=disable");
    Instant started = Instant.now();
    Process process = builder.start();
    Http http = new Http(port);
    try {
      long[] scrapes = new long[2]; // count, total nanos
      Runnable scrape = () -> {
        long t0 = System.nanoTime();
        http.get("/metrics");
        scrapes[0]++;
        scrapes[1] += System.nanoTime() - t0;
      };
      while (true) {
        try {
          if (http.get("/metrics").body().contains("datname=\"" + database(targets - 1) + "\"")) {
            break;
          }
        } catch (RuntimeException e) {
          // not listening yet
        }
        TimeUnit.MILLISECONDS.sleep(50);
      }
      System.out.printf("%nprometheus-postgres-exporter --auto-discover-databases, scraped every 1 s:%n"
          + "first scrape with every database after %d ms%n", Duration.between(started, Instant.now()).toMillis());
      long until = System.nanoTime() + settle.toNanos();
      while (System.nanoTime() < until) {
        scrape.run();
        TimeUnit.SECONDS.sleep(1);
      }
      atRest(process.pid(), jdbc, "application_name = '' AND backend_type = 'client backend'", window, scrape);
      System.out.printf("scrape: %.0f ms on average%n", scrapes[1] / 1e6 / Math.max(1, scrapes[0]));
    } finally {
      stop(process);
    }
  }

  private static void stop(Process process) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** The image's options, so the bench measures what ships; a property overrides them. */
  private static List<String> jvmOptions() throws IOException {
    String given = System.getProperty("fleet.jvm");
    if (given != null) {
      return given.isBlank() ? List.of() : List.of(given.trim().split("\\s+"));
    }
    Matcher m = TOOL_OPTIONS.matcher(Files.readString(Path.of("helm/Dockerfile")));
    if (!m.find()) {
      throw new IllegalStateException("helm/Dockerfile has no ENV JAVA_TOOL_OPTIONS=\"...\" line");
    }
    // The chart's memory limit, which the JVM would read from the container's cgroup.
    List<String> options = new ArrayList<>(List.of("-XX:MaxRAM=" + System.getProperty("fleet.maxRam", "1g")));
    options.addAll(List.of(m.group(1).trim().split("\\s+")));
    return options;
  }

  private static String database(int i) {
    return String.format("fleet_%03d", i);
  }

  private static void createDatabases(String jdbc, int targets) throws SQLException {
    long t0 = System.nanoTime();
    try (Connection c = DriverManager.getConnection(jdbc); Statement s = c.createStatement()) {
      for (int i = 0; i < targets; i++) {
        // FILE_COPY: a checkpoint and a copy of the template's files, not its pages through the WAL.
        s.execute("CREATE DATABASE " + database(i) + " STRATEGY = FILE_COPY");
      }
    }
    System.out.printf("created %d databases in %.1f s%n", targets, (System.nanoTime() - t0) / 1e9);
  }

  /**
   * PostgreSQL's own share of a start: one session on each database, one at a time, with one
   * catalog query. A database's first session builds its relation cache file, which a server in
   * service has long had, so this also makes the databases look like those of a running server;
   * {@code -Dfleet.cold=true} skips it and measures the daemon on databases nobody connected to.
   */
  private static void firstSessions(EmbeddedPostgres pg, int targets) throws SQLException {
    for (String pass : List.of("a first session", "a second session")) {
      long t0 = System.nanoTime();
      for (int i = 0; i < targets; i++) {
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(database(i)));
            Statement s = c.createStatement();
            ResultSet r = s.executeQuery("SELECT count(*) FROM pg_stat_activity")) {
          r.next();
        }
      }
      System.out.printf("PostgreSQL alone: %s and query on each of the %d databases, one at a time: %.1f s%n",
          pass, targets, (System.nanoTime() - t0) / 1e9);
    }
    // What the daemon asks of the server at its start: two sessions a database, opened side by side.
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Connection> held = Collections.synchronizedList(new ArrayList<>());
    long t0 = System.nanoTime();
    try {
      List<java.util.concurrent.Future<?>> opening = new ArrayList<>();
      for (int i = 0; i < 2 * targets; i++) {
        String url = pg.jdbcUrl(database(i % targets));
        opening.add(pool.submit(() -> {
          Connection c = DriverManager.getConnection(url);
          held.add(c);
          try (Statement s = c.createStatement();
              ResultSet r = s.executeQuery("SELECT count(*) FROM pg_stat_activity")) {
            r.next();
          }
          return null;
        }));
      }
      for (java.util.concurrent.Future<?> f : opening) {
        f.get(5, TimeUnit.MINUTES);
      }
      System.out.printf(
          "PostgreSQL alone: %d sessions (two a database) opened and queried once, %d at a time: %.1f s%n",
          2 * targets, threads, (System.nanoTime() - t0) / 1e9);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      for (Connection c : held) {
        c.close();
      }
      pool.shutdownNow();
    }
  }

  /** Waits until every target's locks check completed once; prints the last and the median. */
  private static void firstPolls(Http api, int targets, Instant started, Process daemon) throws Exception {
    Map<String, Instant> first = new HashMap<>();
    Instant listening = null;
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    while (first.size() < targets) {
      if (!daemon.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException("the daemon " + (daemon.isAlive() ? "polled only " + first.size()
            + " targets in 3 minutes" : "exited") + "; see its daemon.log");
      }
      JsonArray all;
      try {
        all = new JsonObject(api.get("/api/v1/targets").body()).getJsonArray("targets");
      } catch (RuntimeException e) {
        TimeUnit.MILLISECONDS.sleep(200);
        continue; // not listening yet
      }
      if (listening == null) {
        listening = Instant.now();
      }
      Instant now = Instant.now();
      if (Boolean.getBoolean("fleet.progress")) {
        System.out.printf("%5d ms: %d up, %d owned, %d polled%n", Duration.between(started, now).toMillis(),
            all.stream().filter(o -> ((JsonObject) o).getBoolean("up")).count(),
            all.stream().filter(o -> ((JsonObject) o).getBoolean("ownedHere")).count(), first.size());
      }
      for (Object o : all) {
        JsonObject t = (JsonObject) o;
        if (first.containsKey(t.getString("name"))) {
          continue;
        }
        for (Object c : t.getJsonArray("checks")) {
          JsonObject check = (JsonObject) c;
          if (check.getString("name").equals("locks") && check.getLong("runs") > 0) {
            // Runs start at least an interval (1 s) apart (more when one overran): the first one ended
            // at the latest (runs - 1) s before the last one did, so this never flatters.
            first.put(t.getString("name"), Instant.parse(check.getString("lastRun"))
                .minusSeconds(check.getLong("runs") - 1)
                .plusNanos((long) (check.getDouble("lastDurationMs") * 1e6)));
          }
        }
      }
      // Not more often: with 200 targets the answer is a few hundred kilobytes of JSON, built on an
      // event loop that targets share, and asking every 50 ms slowed their first polls.
      TimeUnit.SECONDS.sleep(1);
    }
    List<Long> millis = new ArrayList<>(first.values().stream().map(i -> Duration.between(started, i).toMillis())
        .sorted().toList());
    System.out.printf("CPU used by the daemon until then: %.1f s%n", cpuTicks(daemon.pid()) / 100.0);
    System.out.printf("API's first answer after %d ms; first lock poll of every target after: median %d ms,"
        + " p90 %d ms, last %d ms (target: within 5000 ms)%n", Duration.between(started, listening).toMillis(),
        millis.get(millis.size() / 2), millis.get(millis.size() * 9 / 10), millis.get(millis.size() - 1));
  }

  /**
   * CPU over {@code window}, then RSS and threads, and the connections whose sessions match
   * {@code sessions} (sampled every second); {@code tick} runs each second (a scrape).
   */
  private static void atRest(long pid, String jdbc, String sessions, Duration window, Runnable tick)
      throws Exception {
    long ticks0 = cpuTicks(pid);
    long t0 = System.nanoTime();
    int maxTotal = 0;
    int maxPerDatabase = 0;
    int databases = 0;
    long end = t0 + window.toNanos();
    try (Connection c = DriverManager.getConnection(jdbc); Statement s = c.createStatement()) {
      while (System.nanoTime() < end) {
        int total = 0;
        int most = 0;
        int seen = 0;
        tick.run();
        try (ResultSet rs = s.executeQuery("SELECT datname, count(*) FROM pg_stat_activity"
            + " WHERE " + sessions + " GROUP BY datname")) {
          while (rs.next()) {
            total += rs.getInt(2);
            most = Math.max(most, rs.getInt(2));
            seen++;
          }
        }
        maxTotal = Math.max(maxTotal, total);
        maxPerDatabase = Math.max(maxPerDatabase, most);
        databases = Math.max(databases, seen);
        TimeUnit.MILLISECONDS.sleep(1000);
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    // /proc/PID/stat counts in clock ticks, USER_HZ, 100 on Linux.
    double core = (cpuTicks(pid) - ticks0) / 100.0 / seconds * 100;
    Map<String, String> status = procStatus(pid);
    System.out.printf("at rest over %.0f s: CPU %.1f %% of one core%n", seconds, core);
    System.out.printf("RSS %s, peak %s; threads %s%n", status.get("VmRSS"), status.get("VmHWM"), status.get("Threads"));
    System.out.printf("connections: at most %d in all (%.2f per database over %d databases), at most %d on one"
        + " database%n", maxTotal, (double) maxTotal / Math.max(1, databases), databases, maxPerDatabase);
  }

  private static void heap(String metrics) {
    System.out.printf("heap used %.0f MB, committed %.0f MB; non-heap used %.0f MB%n",
        sum(metrics, "jvm_memory_used_bytes", "heap") / 1e6, sum(metrics, "jvm_memory_committed_bytes", "heap") / 1e6,
        sum(metrics, "jvm_memory_used_bytes", "nonheap") / 1e6);
  }

  private static long cpuTicks(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    // Fields after the command name (which may hold spaces), from its closing parenthesis: utime is the 12th.
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  private static Map<String, String> procStatus(long pid) throws IOException {
    Map<String, String> fields = new HashMap<>();
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        fields.put(line.substring(0, colon), line.substring(colon + 1).trim().replaceAll("\\s+", " "));
      }
    }
    return fields;
  }

  /** Sums a Prometheus gauge's series whose {@code area} label is {@code area}. */
  private static double sum(String exposition, String name, String area) {
    double total = 0;
    for (String line : exposition.lines().toList()) {
      if (line.startsWith(name + "{") && line.contains("area=\"" + area + "\"")) {
        total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return total;
  }
}

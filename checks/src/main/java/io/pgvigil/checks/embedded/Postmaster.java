package io.pgvigil.checks.embedded;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One run of the {@code postgres} server process: start, wait until it answers, stop. */
final class Postmaster {

  private static final Logger LOG = LoggerFactory.getLogger(Postmaster.class);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
  private static final int LOG_TAIL_LINES = 30;

  private final PostgresBinaries binaries;
  private final Path dataDirectory;
  private final Path log;
  private final Process process;

  private Postmaster(PostgresBinaries binaries, Path dataDirectory, Path log, Process process) {
    this.binaries = binaries;
    this.dataDirectory = dataDirectory;
    this.log = log;
    this.process = process;
  }

  /**
   * Starts {@code postgres} in the foreground as our child and waits until it accepts a JDBC connection. Where it
   * listens is passed on the command line, which overrides the config files (a replica's files are a copy of its
   * primary's).
   */
  static Postmaster start(PostgresBinaries binaries, Path dataDirectory, Path log, String host, int port,
      Map<String, String> settings, Duration timeout) throws IOException {
    List<String> args = new ArrayList<>(List.of("-D", dataDirectory.toString()));
    addSetting(args, "listen_addresses", host);
    addSetting(args, "port", Integer.toString(port));
    // No Unix socket: no files in the shared temp directory, and the TCP port is the only way in.
    addSetting(args, "unix_socket_directories", "");
    settings.forEach((name, value) -> addSetting(args, name, value));
    Process process = binaries.processBuilder("postgres", args.toArray(String[]::new)).redirectErrorStream(true)
        .redirectOutput(Redirect.appendTo(log.toFile())).start();
    Postmaster postmaster = new Postmaster(binaries, dataDirectory, log, process);
    try {
      postmaster.awaitReady(host, port, timeout);
    } catch (IOException | RuntimeException e) {
      postmaster.stop();
      throw e;
    }
    return postmaster;
  }

  private static void addSetting(List<String> args, String name, String value) {
    args.add("-c");
    args.add(name + "=" + value);
  }

  private void awaitReady(String host, int port, Duration timeout) throws IOException {
    String url = "jdbc:postgresql://" + host + ":" + port + "/postgres";
    Properties props = new Properties();
    props.setProperty("user", "postgres");
    props.setProperty("connectTimeout", "2");
    props.setProperty("socketTimeout", "5");
    long deadline = System.nanoTime() + timeout.toNanos();
    SQLException last = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("PostgreSQL exited with code " + process.exitValue() + " while starting on "
            + host + ":" + port + "; last lines of " + log + ":" + System.lineSeparator()
            + FileTrees.tail(log, LOG_TAIL_LINES));
      }
      try (Connection connection = DriverManager.getConnection(url, props)) {
        connection.createStatement().execute("SELECT 1");
        return;
      } catch (SQLException e) {
        last = e; // refused, or 57P03 "the database system is starting up": try again
      }
      pause(Duration.ofMillis(50));
    }
    throw new IOException("PostgreSQL did not accept connections on " + host + ":" + port + " within " + timeout
        + " (last error: " + (last == null ? "none" : last.getMessage()) + "); last lines of " + log + ":"
        + System.lineSeparator() + FileTrees.tail(log, LOG_TAIL_LINES));
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /**
   * Fast shutdown (rolls back open transactions, disconnects clients); kills the process if that hangs.
   *
   * @return whether {@code pg_ctl stop} said the server shut down cleanly: a killed server's data directory needs crash
   *     recovery, and must not be copied as a clean one
   */
  boolean stop() {
    boolean clean = false;
    if (process.isAlive()) {
      try {
        binaries.run(STOP_TIMEOUT.plusSeconds(10), "pg_ctl", "stop", "-D", dataDirectory.toString(),
            "-m", "fast", "-w", "-t", Long.toString(STOP_TIMEOUT.toSeconds()));
        clean = true;
      } catch (IOException e) {
        LOG.warn("pg_ctl stop failed for {}, killing the server: {}", dataDirectory, e.getMessage());
      }
    }
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      return false;
    }
    return clean;
  }

  static void pause(Duration duration) throws IOException {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for PostgreSQL", e);
    }
  }
}

package io.pgvigil.checks.embedded;

import com.sun.security.auth.module.UnixSystem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An extracted PostgreSQL installation and how to run its programs on this machine.
 *
 * <p>{@code initdb}, {@code pg_ctl} and {@code postgres} refuse to run as root. As root we run them under {@code
 * unshare -U}: in a fresh, unmapped user namespace the process sees itself as uid 65534 (and root-owned files as owned
 * by 65534, so the data directory ownership check passes), while outside the namespace it keeps root's kernel uid and
 * the files stay root's. Everyone else runs the binaries directly.
 */
final class PostgresBinaries {

  // Appended to postgresql.conf, where ALTER SYSTEM can still override them (unlike the -c options
  // the server is started with). Replicas need the first four on the primary (startReplica); they
  // cost nothing otherwise. With the last three a crash may corrupt the cluster: fine for
  // throwaway test and shadow databases only.
  private static final String DEFAULTS = """

      # pgvigil embedded server
      wal_level = 'replica'
      max_wal_senders = '10'
      max_replication_slots = '10'
      hot_standby = 'on'
      fsync = 'off'
      synchronous_commit = 'off'
      full_page_writes = 'off'
      """;

  private final Path home;
  private final List<String> prefix;

  PostgresBinaries(Path home, boolean root) {
    this.home = home;
    this.prefix = root ? List.of("unshare", "-U") : List.of();
  }

  static boolean runningAsRoot() {
    try {
      return new UnixSystem().getUid() == 0;
    } catch (LinkageError e) {
      // A runtime image without jdk.security.auth: ask the system.
      try {
        Process id = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
        String out = new String(id.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        return id.waitFor() == 0 && out.equals("0");
      } catch (IOException io) {
        return false;
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }

  /** The command line for one of the bundle's programs, with the root workaround if needed. */
  List<String> command(String program, String... args) {
    List<String> command = new ArrayList<>(prefix);
    command.add(home.resolve("bin").resolve(program).toString());
    command.addAll(List.of(args));
    return command;
  }

  ProcessBuilder processBuilder(String program, String... args) {
    ProcessBuilder builder = new ProcessBuilder(command(program, args));
    // Messages in English whatever the host locale, so that log tails in errors are readable.
    builder.environment().put("LC_ALL", "C");
    builder.environment().remove("PGDATA");
    return builder;
  }

  void initdb(Path dataDirectory, String superuser) throws IOException {
    run(Duration.ofMinutes(2), "initdb", "-D", dataDirectory.toString(), "-U", superuser,
        "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync");
    Files.writeString(dataDirectory.resolve("postgresql.conf"), DEFAULTS, StandardCharsets.UTF_8,
        StandardOpenOption.APPEND);
  }

  /** A value as a postgresql.conf string literal. */
  static String quote(String value) {
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
  }

  /** Runs a program to completion; the error names the program and carries its output. */
  String run(Duration timeout, String program, String... args) throws IOException {
    Process process = processBuilder(program, args).redirectErrorStream(true).start();
    // initdb and pg_ctl print little; reading after exit cannot deadlock on a full pipe.
    byte[] output;
    try {
      output = process.getInputStream().readAllBytes();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new IOException(
            program + " did not finish within " + timeout + ": " + String.join(" ", command(program, args)));
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running " + program, e);
    }
    String text = new String(output, StandardCharsets.UTF_8).trim();
    if (process.exitValue() != 0) {
      throw new IOException(program + " failed with exit code " + process.exitValue() + ": "
          + String.join(" ", command(program, args)) + System.lineSeparator() + text);
    }
    return text;
  }
}

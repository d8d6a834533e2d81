package io.pgvigil.checks.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** A new cluster (initdb) and the postgresql.conf defaults of every embedded server. */
final class ClusterConfig {

  private ClusterConfig() {}

  /**
   * Runs initdb and appends the defaults to postgresql.conf, where ALTER SYSTEM can still override them (unlike the
   * {@code -c} options the server is started with).
   */
  static void initdb(PostgresBinaries binaries, Path dataDirectory, String superuser, boolean fastButUnsafe)
      throws IOException {
    binaries.run(Duration.ofMinutes(2), "initdb", "-D", dataDirectory.toString(), "-U", superuser,
        "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync");
    Map<String, String> defaults = new LinkedHashMap<>();
    // Replicas need these on the primary (startReplica); they cost nothing otherwise.
    defaults.put("wal_level", "replica");
    defaults.put("max_wal_senders", "10");
    defaults.put("max_replication_slots", "10");
    defaults.put("hot_standby", "on");
    if (fastButUnsafe) {
      // A crash may corrupt the cluster: fine for throwaway test and shadow databases only.
      defaults.put("fsync", "off");
      defaults.put("synchronous_commit", "off");
      defaults.put("full_page_writes", "off");
    }
    StringBuilder conf = new StringBuilder(System.lineSeparator()).append("# pgvigil embedded server")
        .append(System.lineSeparator());
    defaults
        .forEach((name, value) -> conf.append(name).append(" = ").append(quote(value)).append(System.lineSeparator()));
    Files.writeString(dataDirectory.resolve("postgresql.conf"), conf, StandardCharsets.UTF_8,
        StandardOpenOption.APPEND);
  }

  /** A value as a postgresql.conf string literal. */
  static String quote(String value) {
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
  }
}

package io.pgvigil.checks.embedded;

import static io.pgvigil.checks.embedded.PostgresBinaries.quote;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a streaming standby's data directory from a running primary without pg_basebackup (the bundles ship only
 * initdb, pg_ctl and postgres): a non-exclusive low-level base backup
 * (https://www.postgresql.org/docs/current/continuous-archiving.html#BACKUP-LOWLEVEL-BASE-BACKUP) plus a physical slot,
 * created before the backup starts, that keeps every WAL segment the standby needs. So pg_wal is not copied: the
 * standby streams it from the slot.
 */
final class StandbyClone {

  private static final Logger LOG = LoggerFactory.getLogger(StandbyClone.class);
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,63}");
  /** Copied as empty directories: runtime state that a new cluster must not inherit. */
  private static final Set<String> EMPTIED = Set.of("pg_wal", "pg_replslot", "pg_stat_tmp", "pg_dynshmem",
      "pg_notify", "pg_serial", "pg_snapshots", "pg_subtrans");
  private static final Set<String> SKIPPED = Set.of("postmaster.pid", "postmaster.opts", "backup_label",
      "backup_label.old", "tablespace_map", "standby.signal", "recovery.signal");

  private final EmbeddedPostgres primary;
  private final String applicationName;
  private final String slot;

  StandbyClone(EmbeddedPostgres primary, String applicationName) {
    if (!NAME.matcher(applicationName).matches()) {
      throw new IllegalArgumentException(
          "replica name must match " + NAME.pattern() + " but was '" + applicationName + "'");
    }
    this.primary = primary;
    this.applicationName = applicationName;
    this.slot = applicationName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
  }

  /** Writes the standby's data directory (must not exist yet) from a base backup of the primary. */
  void writeInto(EmbeddedPostgres standby) throws IOException {
    Path target = standby.dataDirectory();
    long begin = System.nanoTime();
    String labelFile;
    try (Connection connection = DriverManager.getConnection(primary.jdbcUrl("postgres"))) {
      update(connection, "SELECT pg_create_physical_replication_slot(?, true)", slot);
      // PostgreSQL 15 renamed the functions and dropped exclusive backups (release notes 15, E.x "Remove exclusive
      // backup mode").
      boolean v15 = primary.major() >= 15;
      update(connection, v15 ? "SELECT pg_backup_start(?, true)" : "SELECT pg_start_backup(?, true, false)",
          "pgvigil replica " + applicationName);
      // If the copy fails, closing this session aborts the non-exclusive backup.
      copy(primary.dataDirectory(), target);
      try (PreparedStatement stop = connection.prepareStatement(v15
          ? "SELECT labelfile FROM pg_backup_stop(false)" : "SELECT labelfile FROM pg_stop_backup(false, false)");
          ResultSet rows = stop.executeQuery()) {
        rows.next();
        labelFile = rows.getString(1);
      }
    } catch (SQLException e) {
      throw new IOException("cannot take a base backup of " + primary + " for replica '" + applicationName + "': "
          + e.getMessage(), e);
    }
    Files.writeString(target.resolve("backup_label"), labelFile, StandardCharsets.UTF_8);
    Files.createFile(target.resolve("standby.signal"));
    String conninfo =
        "host=" + EmbeddedPostgres.HOST + " port=" + primary.port() + " user=" + EmbeddedPostgres.SUPERUSER
            + " application_name=" + applicationName;
    String conf = System.lineSeparator() + "primary_conninfo = " + quote(conninfo)
        + System.lineSeparator() + "primary_slot_name = " + quote(slot) + System.lineSeparator();
    Files.writeString(target.resolve("postgresql.auto.conf"), conf, StandardCharsets.UTF_8,
        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    LOG.debug("base backup of {} copied for replica {} in {} ms", primary, applicationName,
        (System.nanoTime() - begin) / 1_000_000);
  }

  /** Drops the replica's slot so that the primary stops retaining WAL for it; best effort. */
  void dropSlot() {
    if (!primary.isRunning()) {
      return;
    }
    // The walsender may still hold the slot for a moment after the standby stopped.
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    try (Connection connection = DriverManager.getConnection(primary.jdbcUrl("postgres"))) {
      while (true) {
        try {
          update(connection, "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ?",
              slot);
          return;
        } catch (SQLException e) {
          if (!"55006".equals(e.getSQLState()) || System.nanoTime() > deadline) { // object_in_use: slot still active
            throw e;
          }
          Postmaster.pause(Duration.ofMillis(50));
        }
      }
    } catch (SQLException | IOException e) {
      LOG.warn("cannot drop replication slot {} on {}: {}", slot, primary, e.getMessage());
    }
  }

  private static void update(Connection connection, String sql, String parameter) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, parameter);
      statement.execute();
    }
  }

  private static void copy(Path source, Path target) throws IOException {
    Files.createDirectories(target.getParent());
    Files.walkFileTree(source, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
        Path relative = source.relativize(dir);
        // PostgreSQL refuses a data directory that group or others can write (or read, without group mode).
        Files.createDirectory(target.resolve(relative.toString()),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        if (relative.getNameCount() == 1 && EMPTIED.contains(relative.toString())) {
          if (relative.toString().equals("pg_wal")) {
            Files.createDirectory(target.resolve("pg_wal").resolve("archive_status"));
          }
          return FileVisitResult.SKIP_SUBTREE;
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Path relative = source.relativize(file);
        if (relative.getNameCount() == 1 && SKIPPED.contains(relative.toString())) {
          return FileVisitResult.CONTINUE;
        }
        try {
          Files.copy(file, target.resolve(relative.toString()), StandardCopyOption.COPY_ATTRIBUTES);
        } catch (NoSuchFileException e) {
          // A temp file that vanished while we copied: the backup does not need it.
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
        if (e instanceof NoSuchFileException) {
          return FileVisitResult.CONTINUE;
        }
        throw e;
      }
    });
  }
}

package io.pgvigil.checks.server;

import java.time.OffsetDateTime;

/**
 * What a target server says about itself on every heartbeat.
 *
 * @param versionNum   {@code server_version_num}, e.g. 170009
 * @param version      {@code server_version}, e.g. "17.9"
 * @param startedAt    when the postmaster started (a restart shows here)
 * @param pgMonitor    whether that role has {@code pg_monitor} (superusers do)
 */
public record ServerInfo(int versionNum, String version, boolean inRecovery, OffsetDateTime startedAt, String role,
    boolean pgMonitor) {

  /** The major version: 17 for 170009. Since PostgreSQL 10 the major is the first two digits. */
  public int major() {
    return versionNum / 10_000;
  }
}

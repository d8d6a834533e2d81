package io.pgvigil.daemon.config;

import io.pgvigil.checks.history.MigrationSource;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** One primary database to watch; {@code url.password()} already reflects a separate {@code password:} key. */
public record TargetConfig(String name, DatabaseUrl url, Duration connectTimeout, List<ReplicaConfig> replicas,
    Optional<MigrationSource> migrations, ShadowConfig shadow, DriftConfig drift, WatchConfig watch,
    ReviewConfig review) {

  /** With the review's defaults. */
  public TargetConfig(String name, DatabaseUrl url, Duration connectTimeout, List<ReplicaConfig> replicas,
      Optional<MigrationSource> migrations, ShadowConfig shadow, DriftConfig drift, WatchConfig watch) {
    this(name, url, connectTimeout, replicas, migrations, shadow, drift, watch, ReviewConfig.DEFAULT);
  }

  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  /** Target and replica names become metric labels and URL path segments, hence the strict shape. */
  public static final String NAME_PATTERN = "[a-z0-9][a-z0-9_-]{0,62}";

  /** A streaming replica of the target, watched for replication lag. */
  public record ReplicaConfig(String name, DatabaseUrl url) {
  }
}

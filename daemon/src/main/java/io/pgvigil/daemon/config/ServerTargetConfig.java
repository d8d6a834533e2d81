package io.pgvigil.daemon.config;

import io.pgvigil.checks.history.MigrationSource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A server-level target ({@code databases: auto}): every database of the cluster that the patterns let through is
 * watched as a target of its own, found by listing {@code pg_database} in the URL's database every
 * {@code discoverEvery}.
 *
 * @param server the target as written: its name is the prefix of the databases' target names, its URL's database
 *     is where discovery asks and the one database that runs the replication probe; its {@code migrations} is empty
 * @param include databases watched (empty: all); exact names match themselves
 * @param exclude databases never watched, even if included
 * @param migrations per database name, the migration source its drift check compares with
 */
public record ServerTargetConfig(TargetConfig server, List<DatabasePattern> include, List<DatabasePattern> exclude,
    Duration discoverEvery, Map<String, MigrationSource> migrations) {

  /** New databases are picked up within a minute. */
  public static final Duration DEFAULT_DISCOVER_EVERY = Duration.ofSeconds(30);
  /** Hex digits of the name's hash added when sanitising changed the name or it would collide. */
  static final int HASH_LENGTH = 6;
  private static final int MAX_NAME = 63;

  public ServerTargetConfig {
    include = List.copyOf(include);
    exclude = List.copyOf(exclude);
    migrations = Map.copyOf(migrations);
  }

  public String name() {
    return server.name();
  }

  /** Where discovery lists the databases; always watched, since it also runs the server's replication probe. */
  public String home() {
    return server.url().database();
  }

  /** Whether the patterns let {@code database} through (the home database is watched anyway). */
  public boolean matches(String database) {
    return (include.isEmpty() || include.stream().anyMatch(p -> p.matches(database)))
        && exclude.stream().noneMatch(p -> p.matches(database));
  }

  public boolean watches(String database) {
    return database.equals(home()) || matches(database);
  }

  /**
   * The target of one database: this target's settings with the URL's database replaced, its migrations from the
   * map, the replicas only for the home database (replication is cluster-wide: one probe per server).
   */
  public TargetConfig target(String database, Set<String> taken) {
    return new TargetConfig(targetName(database, taken), server.url().withDatabase(database), server.connectTimeout(),
        database.equals(home()) ? server.replicas() : List.of(), Optional.ofNullable(migrations.get(database)),
        server.shadow(), server.drift(), server.watch(), server.review());
  }

  /**
   * {@code <server>-<database>}, lowercased, every character outside {@code [a-z0-9_-]} replaced by {@code _}; when
   * that changed the database's name, the name is longer than 63 characters, or it is in {@code taken} (the names
   * of the configured targets), it is cut to fit and ends in {@code -} and the first {@value #HASH_LENGTH} hex
   * digits of the SHA-256 of the database's name. The same database gets the same name on every instance.
   */
  public String targetName(String database, Set<String> taken) {
    String sanitised = database.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_-]", "_");
    String plain = name() + "-" + sanitised;
    if (sanitised.equals(database) && plain.length() <= MAX_NAME && !taken.contains(plain)) {
      return plain;
    }
    String suffix = "-" + hash(database);
    String cut = plain.substring(0, Math.min(plain.length(), MAX_NAME - suffix.length()));
    return cut + suffix;
  }

  private static String hash(String database) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(database.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, HASH_LENGTH);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}

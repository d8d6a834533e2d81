package io.pgvigil.daemon.config;

import io.pgvigil.checks.history.MigrationSource;
import io.pgvigil.checks.schema.IgnorePattern;
import io.pgvigil.checks.schema.ObjectKind;
import io.pgvigil.common.SecretValue;
import io.pgvigil.daemon.config.TargetConfig.ReplicaConfig;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads the {@code targets:} list: databases, replicas, migrations, shadow, drift and watch. */
final class TargetReader {

  private static final String URL_EXAMPLE = "postgresql://pgvigil@db:5432/app";
  private static final String TARGET_EXAMPLE = "[{ name: app, url: " + URL_EXAMPLE + " }]";

  /** Below 2^31 ms: timeouts that the driver or PostgreSQL take as a 32-bit count of milliseconds. */
  private static final Duration MAX_MILLIS = Duration.ofDays(24);

  private final Path baseDir;
  /** Every well-formed target name, also of targets with other problems (so alert routing is not blamed). */
  private final List<String> names = new ArrayList<>();

  TargetReader(Path baseDir) {
    this.baseDir = baseDir;
  }

  List<TargetConfig> read(ConfigNode targets) {
    if (!targets.require("list at least one database to watch, e.g. targets: " + TARGET_EXAMPLE)) {
      return List.of();
    }
    if (targets.isEmptyList()) {
      targets.problem("is empty; list at least one database to watch, e.g. targets: " + TARGET_EXAMPLE);
      return List.of();
    }
    Map<String, String> names = new LinkedHashMap<>();
    List<TargetConfig> result = new ArrayList<>();
    for (ConfigNode target : targets.list(TARGET_EXAMPLE)) {
      readTarget(target, names).ifPresent(result::add);
    }
    this.names.addAll(names.keySet());
    return result;
  }

  List<String> names() {
    return List.copyOf(names);
  }

  private Optional<TargetConfig> readTarget(ConfigNode target, Map<String, String> names) {
    if (!target.element("a target needs at least name and url", List.of("name", "url", "password",
        "connectTimeout", "replicas", "migrations", "shadow", "drift", "watch"))) {
      return Optional.empty();
    }
    Optional<String> name = readName(target.get("name"), "target", names);
    Optional<DatabaseUrl> url = readUrl(target.get("url"), target.get("password"), true);
    Duration connectTimeout = target.get("connectTimeout")
        .positiveDurationAtMost(MAX_MILLIS, "the driver counts it in milliseconds in an int")
        .orElse(TargetConfig.DEFAULT_CONNECT_TIMEOUT);
    List<ReplicaConfig> replicas = readReplicas(target.get("replicas"));
    Optional<MigrationSource> migrations = readMigrations(target.get("migrations"));
    ShadowConfig shadow = readShadow(target.get("shadow"));
    DriftConfig drift = readDrift(target.get("drift"));
    WatchConfig watch = readWatch(target.get("watch"));
    if (name.isEmpty() || url.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new TargetConfig(name.get(), url.get(), connectTimeout, replicas,
        migrations, shadow, drift, watch));
  }

  private Optional<String> readName(ConfigNode node, String noun, Map<String, String> seen) {
    if (!node.require("give the " + noun + " a short name such as app")) {
      return Optional.empty();
    }
    Optional<ConfigNode.Scalar> name = node.scalar("a name such as app");
    if (name.isEmpty() || !validName(node, name.get())) {
      return Optional.empty();
    }
    String value = name.get().value();
    String previous = seen.putIfAbsent(value, node.path());
    if (previous != null) {
      node.problem(
          "'" + name.get().display() + "' is already used at " + previous + "; " + noun + " names must be unique");
      return Optional.empty();
    }
    return Optional.of(value);
  }

  static boolean validName(ConfigNode node, ConfigNode.Scalar name) {
    if (!name.value().matches(TargetConfig.NAME_PATTERN)) {
      node.problem("'" + name.display() + "' is not a valid name; use 1 to 63 lowercase letters, "
          + "digits, '_' or '-', starting with a letter or digit (it becomes a metric label)");
    }
    return name.value().matches(TargetConfig.NAME_PATTERN);
  }

  /** The separate password key, when given, replaces the URL's own password. */
  private Optional<DatabaseUrl> readUrl(ConfigNode urlNode, ConfigNode passwordNode, boolean required) {
    Optional<SecretValue> password = passwordNode.secret("a password");
    if (required && !urlNode.require("give a connection URL such as " + URL_EXAMPLE)) {
      return Optional.empty();
    }
    return urlNode.text("a connection URL such as " + URL_EXAMPLE).flatMap(text -> {
      try {
        DatabaseUrl url = TlsFiles.resolve(DatabaseUrl.parse(text), baseDir);
        if (!TlsFiles.usable(url.tls(), urlNode)) {
          return Optional.<DatabaseUrl>empty();
        }
        return Optional.of(password.isPresent() ? url.withPassword(password) : url);
      } catch (DatabaseUrl.InvalidUrlException e) {
        urlNode.problem(e.getMessage());
        return Optional.empty();
      }
    });
  }

  private List<ReplicaConfig> readReplicas(ConfigNode replicas) {
    Map<String, String> names = new HashMap<>();
    List<ReplicaConfig> result = new ArrayList<>();
    for (ConfigNode replica : replicas.list("[{ name: replica-1, url: " + URL_EXAMPLE + " }]")) {
      if (!replica.element("a replica needs name and url", List.of("name", "url", "password"))) {
        continue;
      }
      Optional<String> name = readName(replica.get("name"), "replica", names);
      Optional<DatabaseUrl> url = readUrl(replica.get("url"), replica.get("password"), true);
      if (name.isPresent() && url.isPresent()) {
        result.add(new ReplicaConfig(name.get(), url.get()));
      }
    }
    return result;
  }

  private Optional<MigrationSource> readMigrations(ConfigNode migrations) {
    if (!migrations.mapping("tool", "locations", "table", "schemas", "mixed", "directory")) {
      return Optional.empty();
    }
    ConfigNode toolNode = migrations.get("tool");
    if (!toolNode.require("use tool: flyway or tool: prisma")) {
      return Optional.empty();
    }
    Optional<String> tool = toolNode.oneOf(List.of("flyway", "prisma"));
    if (tool.isEmpty()) {
      return Optional.empty();
    }
    if (tool.get().equals("prisma")) {
      for (String flywayKey : List.of("locations", "table", "schemas", "mixed")) {
        if (migrations.get(flywayKey).isPresent()) {
          migrations.get(flywayKey).problem(
              "only applies to tool flyway; with prisma use directory: ./prisma/migrations");
        }
      }
      ConfigNode directory = migrations.get("directory");
      String text = directory.text("a directory path").orElse(MigrationSource.Prisma.DEFAULT_DIRECTORY);
      return resolve(directory, text).map(MigrationSource.Prisma::new);
    }
    if (migrations.get("directory").isPresent()) {
      migrations.get("directory").problem("only applies to tool prisma; with flyway use locations: [./db/migration]");
    }
    ConfigNode locationsNode = migrations.get("locations");
    if (locationsNode.isEmptyList()) {
      locationsNode.problem("is empty; list at least one directory, or remove the key for the default "
          + MigrationSource.Flyway.DEFAULT_LOCATION);
    }
    List<String> locations = locationsNode.isPresent()
        ? locationsNode.stringList("[./db/migration]")
        : List.of(MigrationSource.Flyway.DEFAULT_LOCATION);
    List<Path> paths = new ArrayList<>();
    for (String location : locations) {
      resolveFlywayLocation(locationsNode, location).ifPresent(paths::add);
    }
    String table = migrations.get("table").text("a table name").orElse(MigrationSource.Flyway.DEFAULT_TABLE);
    ConfigNode schemasNode = migrations.get("schemas");
    List<String> schemas = schemasNode.isPresent()
        ? schemasNode.stringList("[public]") : MigrationSource.Flyway.DEFAULT_SCHEMAS;
    boolean mixed = migrations.get("mixed").bool().orElse(false);
    return Optional.of(new MigrationSource.Flyway(paths, table, schemas, mixed));
  }

  private Optional<Path> resolveFlywayLocation(ConfigNode node, String location) {
    // Flyway's prefixes: filesystem: is what we do anyway; classpath: means nothing outside the application's jar.
    if (location.startsWith("classpath:")) {
      node.problem("has a classpath: location; pgvigil reads migrations from the "
          + "filesystem, give the directory instead, e.g. ./src/main/resources/db/migration");
      return Optional.empty();
    }
    String path = location.startsWith("filesystem:") ? location.substring("filesystem:".length()) : location;
    return resolve(node, path);
  }

  private Optional<Path> resolve(ConfigNode node, String path) {
    try {
      return Optional.of(baseDir.resolve(path).normalize());
    } catch (InvalidPathException e) {
      node.problem("has an invalid path (" + e.getReason() + ")");
      return Optional.empty();
    }
  }

  private ShadowConfig readShadow(ConfigNode shadow) {
    if (!shadow.mapping("mode", "url", "password")) {
      return ShadowConfig.DEFAULT;
    }
    ShadowConfig.Mode mode = shadow.get("mode").oneOf(ShadowConfig.Mode.class).orElse(ShadowConfig.Mode.EMBEDDED);
    if (mode == ShadowConfig.Mode.EMBEDDED) {
      for (String key : List.of("url", "password")) {
        if (shadow.get(key).isPresent()) {
          shadow.get(key).problem("only applies when mode is url; remove it or set mode: url");
        }
      }
      return ShadowConfig.DEFAULT;
    }
    ConfigNode url = shadow.get("url");
    if (!url.isPresent()) {
      url.problem("is required when mode is url; give a server where pgvigil may create scratch "
          + "databases, e.g. postgresql://pgvigil@shadow:5432/postgres");
      return ShadowConfig.DEFAULT;
    }
    return readUrl(url, shadow.get("password"), false)
        .map(u -> new ShadowConfig(ShadowConfig.Mode.URL, Optional.of(u)))
        .orElse(ShadowConfig.DEFAULT);
  }

  private DriftConfig readDrift(ConfigNode drift) {
    if (!drift.mapping("interval", "ignore")) {
      return DriftConfig.DEFAULT;
    }
    Duration interval = drift.get("interval").positiveDuration().orElse(DriftConfig.DEFAULT_INTERVAL);
    List<IgnorePattern> ignore = new ArrayList<>();
    for (ConfigNode pattern : drift.get("ignore").list("[\"table:public.tmp_*\"]")) {
      pattern.scalar("a pattern such as table:public.tmp_*")
          .flatMap(text -> readIgnorePattern(pattern, text))
          .ifPresent(ignore::add);
    }
    return new DriftConfig(interval, ignore);
  }

  private Optional<IgnorePattern> readIgnorePattern(ConfigNode node, ConfigNode.Scalar text) {
    String value = text.value();
    int colon = value.indexOf(':');
    if (colon <= 0 || colon == value.length() - 1) {
      node.problem("'" + text.display() + "' must be kind:glob such as table:public.tmp_*");
      return Optional.empty();
    }
    String kind = value.substring(0, colon);
    List<String> kinds = Arrays.stream(ObjectKind.values()).map(ObjectKind::yamlName).toList();
    if (!kinds.contains(kind)) {
      node.problem("'" + text.display() + "' has unknown kind '" + kind + "'"
          + ConfigNode.closest(kind, kinds).map(s -> "; did you mean '" + s + "'?").orElse("")
          + " (kinds: " + String.join(", ", kinds) + ")");
      return Optional.empty();
    }
    return Optional.of(new IgnorePattern(ObjectKind.fromYaml(kind), value.substring(colon + 1)));
  }

  private WatchConfig readWatch(ConfigNode watch) {
    if (!watch.mapping("interval", "windowInterval", "statementTimeout", "redactLiterals",
        "migrationApplicationNames")) {
      return WatchConfig.DEFAULT;
    }
    Optional<Duration> interval = watch.get("interval").positiveDuration();
    Optional<Duration> window = watch.get("windowInterval").positiveDuration();
    Optional<Duration> timeout = watch.get("statementTimeout")
        .positiveDurationAtMost(MAX_MILLIS, "PostgreSQL's statement_timeout and lock_timeout stop at 24d20h");
    Duration effectiveInterval = interval.orElse(WatchConfig.DEFAULT_INTERVAL);
    Duration effectiveWindow = window.orElse(WatchConfig.DEFAULT_WINDOW_INTERVAL);
    Duration effectiveTimeout = timeout.orElse(WatchConfig.DEFAULT_STATEMENT_TIMEOUT);
    boolean valid = watch.get("interval").isPresent() == interval.isPresent()
        && watch.get("windowInterval").isPresent() == window.isPresent()
        && watch.get("statementTimeout").isPresent() == timeout.isPresent();
    if (valid && effectiveWindow.compareTo(effectiveInterval) > 0) {
      watch.get("windowInterval").problem(describe(effectiveWindow, window) + " must not be longer than interval "
          + describe(effectiveInterval, interval) + "; polling during a migration must be at least as frequent");
    }
    if (valid && effectiveTimeout.compareTo(effectiveInterval) >= 0) {
      watch.get("statementTimeout").problem(describe(effectiveTimeout, timeout)
          + " must be shorter than interval " + describe(effectiveInterval, interval)
          + " so a slow probe finishes before the next one starts");
    }
    // On unless explicitly turned off (an invalid value is reported; redact meanwhile).
    boolean redact = !watch.get("redactLiterals").isPresent() || watch.get("redactLiterals").bool().orElse(true);
    List<String> applicationNames = watch.get("migrationApplicationNames").isPresent()
        ? watch.get("migrationApplicationNames").stringList("[\"deploy-%\"]") : List.of();
    return new WatchConfig(effectiveInterval, effectiveWindow, effectiveTimeout, redact, applicationNames);
  }

  /** Mentions defaults explicitly, since the user may be surprised by a value they did not write. */
  private static String describe(Duration effective, Optional<Duration> given) {
    return "'" + Durations.format(effective) + "'" + (given.isPresent() ? "" : " (the default)");
  }
}

package io.pgvigil.daemon.config;

import io.pgvigil.checks.history.MigrationSource;
import io.pgvigil.checks.schema.IgnorePattern;
import io.pgvigil.checks.schema.ObjectKind;
import io.pgvigil.common.SecretValue;
import io.pgvigil.daemon.config.TargetConfig.ReplicaConfig;
import io.pgvigil.daemon.tls.PemMaterial;
import io.pgvigil.daemon.tls.TlsContexts;
import io.pgvigil.daemon.tls.TlsSettings;
import io.pgvigil.daemon.tls.TlsSetupException;
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
  private final Map<String, String> names = new LinkedHashMap<>();
  private final List<ServerTargetConfig> servers = new ArrayList<>();
  /** Each target's name node, and the server-level targets' names: for the rule of {@link #prefixProblems}. */
  private final Map<String, ConfigNode> nameNodes = new LinkedHashMap<>();
  private final List<String> serverNames = new ArrayList<>();

  TargetReader(Path baseDir) {
    this.baseDir = baseDir;
  }

  List<TargetConfig> read(ConfigNode targets) {
    String howToFix = "list at least one database to watch, e.g. targets: " + TARGET_EXAMPLE;
    if (targets.required(howToFix).isEmpty() || targets.emptyList(howToFix)) {
      return List.of();
    }
    List<TargetConfig> result = targets.list(TARGET_EXAMPLE).stream()
        .flatMap(target -> readTarget(target, names).stream())
        .toList();
    prefixProblems();
    return result;
  }

  /**
   * A server-level target names its databases' targets {@code <server>-<database>}, so no other target's name may
   * start with {@code <server>-}: server {@code prod} with database {@code eu-orders} and server {@code prod-eu}
   * with database {@code orders} would both make {@code prod-eu-orders}, and which one got it would differ from
   * instance to instance (two instances could then own two databases under one name and one lock).
   */
  private void prefixProblems() {
    nameNodes.forEach((name, node) -> serverNames.stream()
        .filter(server -> !server.equals(name) && name.startsWith(server + "-"))
        .findFirst()
        .ifPresent(server -> node.problem("'" + name + "' starts with '" + server + "-', the prefix of the "
            + "targets that server-level target '" + server + "' (at " + nameNodes.get(server).path()
            + ") makes for its databases; a database's target could get the same name. Rename one of the two "
            + "so that neither name starts with the other followed by '-'")));
  }

  /**
   * The names alerts may be routed by: a server-level target's name is none (its databases' targets are named when
   * they are found, so a sink's {@code targets} cannot list them yet).
   */
  List<String> names() {
    List<String> servers = this.servers.stream().map(ServerTargetConfig::name).toList();
    return names.keySet().stream().filter(name -> !servers.contains(name)).toList();
  }

  /** The server-level targets ({@code databases: auto}) of the list {@link #read} read; not among its result. */
  List<ServerTargetConfig> servers() {
    return List.copyOf(servers);
  }

  private Optional<TargetConfig> readTarget(ConfigNode target, Map<String, String> names) {
    if (!target.element("a target needs at least name and url", List.of("name", "url", "password",
        "connectTimeout", "replicas", "migrations", "shadow", "drift", "watch", "databases", "include", "exclude",
        "discoverEvery", "review"))) {
      return Optional.empty();
    }
    boolean server = target.get("databases").oneOf(List.of("auto")).isPresent();
    if (!server) {
      target.notApplicable("only applies to a server-level target; add databases: auto to watch every database "
          + "of the server", "include", "exclude", "discoverEvery");
    }
    Optional<String> name = readName(target.get("name"), "target", names);
    name.ifPresent(n -> {
      nameNodes.put(n, target.get("name"));
      if (server) {
        serverNames.add(n);
      }
    });
    Optional<DatabaseUrl> url = readUrl(target.get("url"), target.get("password"));
    Duration connectTimeout = target.get("connectTimeout")
        .positiveDurationAtMost(MAX_MILLIS, "the driver counts it in milliseconds in an int")
        .orElse(TargetConfig.DEFAULT_CONNECT_TIMEOUT);
    List<ReplicaConfig> replicas = readReplicas(target.get("replicas"));
    Optional<MigrationSource> migrations = server ? Optional.empty() : readMigrations(target.get("migrations"));
    ShadowConfig shadow = readShadow(target.get("shadow"));
    DriftConfig drift = readDrift(target.get("drift"));
    WatchConfig watch = readWatch(target.get("watch"));
    ReviewConfig review = ReviewReader.read(target.get("review"), replicas);
    if (server && target.get("review").get("readFrom").isPresent()) {
      // A replica's url names one database; each database of the server would need a replica url of its own.
      target.get("review").get("readFrom").problem("does not apply to a server-level target (databases: auto): a "
          + "replica's url names one database, and the review reads every database of the server; remove it, or "
          + "make a target per database to read from its replica");
    }
    if (server) {
      List<DatabasePattern> include = readPatterns(target.get("include"));
      List<DatabasePattern> exclude = readPatterns(target.get("exclude"));
      Duration every = target.get("discoverEvery").positiveDuration()
          .orElse(ServerTargetConfig.DEFAULT_DISCOVER_EVERY);
      Map<String, MigrationSource> perDatabase = readMigrationMap(target.get("migrations"));
      if (name.isPresent() && url.isPresent()) {
        ServerTargetConfig config = new ServerTargetConfig(new TargetConfig(name.get(), url.get(), connectTimeout,
            replicas, Optional.empty(), shadow, drift, watch, review), include, exclude, every, perDatabase);
        // A mapping the patterns never let through is a typo or a stale entry: said now, not silently unused.
        perDatabase.keySet().stream().filter(database -> !config.watches(database))
            .forEach(database -> target.get("migrations").get(database).problem("database '" + database
                + "' is not watched: include/exclude leave it out; remove the entry or change the patterns"));
        servers.add(config);
      }
      return Optional.empty();
    }
    if (name.isEmpty() || url.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new TargetConfig(name.get(), url.get(), connectTimeout, replicas,
        migrations, shadow, drift, watch, review));
  }

  private static List<DatabasePattern> readPatterns(ConfigNode patterns) {
    patterns.emptyList("list at least one database name or pattern, or remove the key");
    List<DatabasePattern> result = new ArrayList<>();
    for (ConfigNode pattern : patterns.list("[\"app_*\", orders]")) {
      pattern.text("a database name or a pattern such as app_*").ifPresent(text -> {
        Optional<String> problem = DatabasePattern.problem(text);
        if (problem.isPresent()) {
          pattern.problem(problem.get());
        } else {
          result.add(DatabasePattern.parse(text).orElseThrow());
        }
      });
    }
    return List.copyOf(result);
  }

  /** With {@code databases: auto}, {@code migrations} maps database names to the sources of the usual shape. */
  private Map<String, MigrationSource> readMigrationMap(ConfigNode migrations) {
    if (!migrations.isPresent()) {
      return Map.of();
    }
    String example = "migrations: { orders: { tool: flyway, locations: [./db/migration] } }";
    if (migrations.keys().isEmpty() || migrations.keys().contains("tool")) {
      migrations.problem("with databases: auto, maps database names to migration sources, e.g. " + example);
      return Map.of();
    }
    Map<String, MigrationSource> result = new LinkedHashMap<>();
    for (String database : migrations.keys()) {
      readMigrations(migrations.get(database)).ifPresent(source -> result.put(database, source));
    }
    return result;
  }

  private Optional<String> readName(ConfigNode node, String noun, Map<String, String> seen) {
    return node.required("give the " + noun + " a short name such as app")
        .flatMap(n -> validName(n, "app"))
        .flatMap(name -> unique(node, name.value(), name.display(), noun, seen));
  }

  static Optional<ConfigNode.Scalar> validName(ConfigNode node, String example) {
    return node.scalar("a name such as " + example).filter(name -> {
      boolean valid = name.value().matches(TargetConfig.NAME_PATTERN);
      if (!valid) {
        node.problem("'" + name.display() + "' is not a valid name; use 1 to 63 lowercase letters, "
            + "digits, '_' or '-', starting with a letter or digit (it becomes a metric label)");
      }
      return valid;
    });
  }

  static Optional<String> unique(ConfigNode node, String name, String shown, String noun,
      Map<String, String> seen) {
    String previous = seen.putIfAbsent(name, node.path());
    if (previous != null) {
      node.problem(
          "'" + shown + "' is already used at " + previous + "; " + noun + " names must be unique");
      return Optional.empty();
    }
    return Optional.of(name);
  }

  /** The separate password key, when given, replaces the URL's own password. */
  private Optional<DatabaseUrl> readUrl(ConfigNode urlNode, ConfigNode passwordNode) {
    Optional<SecretValue> password = passwordNode.secret("a password");
    return urlNode.required("give a connection URL such as " + URL_EXAMPLE)
        .flatMap(node -> node.text("a connection URL such as " + URL_EXAMPLE)).flatMap(text -> {
          try {
            DatabaseUrl url = DatabaseUrl.parse(text).resolveFiles(baseDir);
            if (!tlsFilesUsable(url.tls(), urlNode)) {
              return Optional.<DatabaseUrl>empty();
            }
            return Optional.of(password.isPresent() ? url.withPassword(password) : url);
          } catch (DatabaseUrl.InvalidUrlException e) {
            urlNode.problem(e.getMessage());
            return Optional.empty();
          }
        });
  }

  /** Read at config time: a bad certificate or key file is a config error, not a dead target. */
  private static boolean tlsFilesUsable(TlsSettings tls, ConfigNode node) {
    boolean usable = true;
    try {
      if (tls.rootCert().isPresent()) {
        PemMaterial.certificates(tls.rootCert().get(), "sslrootcert");
      }
    } catch (TlsSetupException e) {
      node.problem(e.getMessage());
      usable = false;
    }
    try {
      TlsContexts.keyManager(tls);
    } catch (TlsSetupException e) {
      node.problem(e.getMessage());
      usable = false;
    }
    return usable;
  }

  private List<ReplicaConfig> readReplicas(ConfigNode replicas) {
    Map<String, String> names = new HashMap<>();
    List<ReplicaConfig> result = new ArrayList<>();
    for (ConfigNode replica : replicas.list("[{ name: replica-1, url: " + URL_EXAMPLE + " }]")) {
      if (!replica.element("a replica needs name and url", List.of("name", "url", "password"))) {
        continue;
      }
      Optional<String> name = readName(replica.get("name"), "replica", names);
      Optional<DatabaseUrl> url = readUrl(replica.get("url"), replica.get("password"));
      if (name.isPresent() && url.isPresent()) {
        result.add(new ReplicaConfig(name.get(), url.get()));
      }
    }
    return List.copyOf(result);
  }

  private Optional<MigrationSource> readMigrations(ConfigNode migrations) {
    if (!migrations.mapping("tool", "locations", "table", "schemas", "mixed", "directory")) {
      return Optional.empty();
    }
    Optional<String> tool = migrations.get("tool").required("use tool: flyway or tool: prisma")
        .flatMap(node -> node.oneOf(List.of("flyway", "prisma")));
    if (tool.isEmpty()) {
      return Optional.empty();
    }
    if (tool.get().equals("prisma")) {
      migrations.notApplicable(
          "only applies to tool flyway; with prisma use directory: ./prisma/migrations",
          "locations", "table", "schemas", "mixed");
      ConfigNode directory = migrations.get("directory");
      String text = directory.text("a directory path").orElse(MigrationSource.Prisma.DEFAULT_DIRECTORY);
      return resolve(directory, text).map(MigrationSource.Prisma::new);
    }
    migrations.notApplicable(
        "only applies to tool prisma; with flyway use locations: [./db/migration]", "directory");
    ConfigNode locationsNode = migrations.get("locations");
    locationsNode.emptyList("list at least one directory, or remove the key for the default "
        + MigrationSource.Flyway.DEFAULT_LOCATION);
    List<String> locations = locationsNode.isPresent()
        ? locationsNode.stringList("[./db/migration]")
        : List.of(MigrationSource.Flyway.DEFAULT_LOCATION);
    List<Path> paths = locations.stream()
        .flatMap(location -> resolveFlywayLocation(locationsNode, location).stream())
        .toList();
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
      shadow.notApplicable(
          "only applies when mode is url; remove it or set mode: url", "url", "password");
      return ShadowConfig.DEFAULT;
    }
    ConfigNode url = shadow.get("url");
    if (!url.isPresent()) {
      url.problem("is required when mode is url; give a server where pgvigil may create scratch "
          + "databases, e.g. postgresql://pgvigil@shadow:5432/postgres");
      return ShadowConfig.DEFAULT;
    }
    return readUrl(url, shadow.get("password"))
        .map(u -> new ShadowConfig(ShadowConfig.Mode.URL, Optional.of(u)))
        .orElse(ShadowConfig.DEFAULT);
  }

  private DriftConfig readDrift(ConfigNode drift) {
    if (!drift.mapping("interval", "ignore", "compare", "roleMap")) {
      return DriftConfig.DEFAULT;
    }
    Duration interval = drift.get("interval").positiveDuration().orElse(DriftConfig.DEFAULT_INTERVAL);
    List<IgnorePattern> ignore = drift.get("ignore").list("[\"table:public.tmp_*\"]").stream()
        .flatMap(pattern -> pattern.scalar("a pattern such as table:public.tmp_*")
            .flatMap(text -> readIgnorePattern(pattern, text)).stream())
        .toList();
    return new DriftConfig(interval, ignore, DriftReading.compare(drift.get("compare")),
        DriftReading.roleMap(drift.get("roleMap")));
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
    List<String> applicationNames =
        watch.get("migrationApplicationNames").stringList("[\"deploy-%\"]");
    return new WatchConfig(effectiveInterval, effectiveWindow, effectiveTimeout, redact, applicationNames);
  }

  /** Mentions defaults explicitly, since the user may be surprised by a value they did not write. */
  private static String describe(Duration effective, Optional<Duration> given) {
    return "'" + Durations.format(effective) + "'" + (given.isPresent() ? "" : " (the default)");
  }
}

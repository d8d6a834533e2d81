package io.pgvigil.daemon.demo;

import io.pgvigil.checks.embedded.EmbeddedPostgres;
import io.pgvigil.checks.review.Level;
import io.pgvigil.daemon.config.ConfigLoader;
import io.pgvigil.daemon.config.PgvigilConfig;
import io.pgvigil.daemon.config.TargetConfig;
import io.pgvigil.daemon.drift.ShadowSettings;
import io.pgvigil.daemon.review.ReviewRun;
import io.pgvigil.daemon.review.ReviewText;
import io.pgvigil.daemon.review.TargetReview;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadFactory;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.output.MigrateResult;
import org.flywaydb.database.postgresql.PostgreSQLConfigurationExtension;

/**
 * Everything the {@code demo} command stages: an embedded primary and a streaming replica, a small shop schema
 * applied with Flyway, a config file written like a user would write it, and the daemon watching it all. Closing it
 * stops everything in reverse order; the caller removes the work directory.
 */
public final class Demo implements AutoCloseable {

  static final String DATABASE = "shop";
  static final String TARGET = "shop";
  static final String REPLICA = "replica-1";
  /** The demo watches as a least-privilege role, like production should. */
  static final String MONITOR_ROLE = "pgvigil";
  static final String MIGRATOR_ROLE = "shop_migrator";
  /** The application's role: its idle transaction is what the kill switch may terminate. */
  static final String APP_ROLE = "shop_app";
  /** The application_name the demo's migration session uses, and the config's pattern for it. */
  static final String MIGRATION_APPLICATION = "shop-migration";
  /** The first lock stall starts a few seconds after the welcome text, so it can be read first. */
  static final int STALL_DELAY_SECONDS = 10;
  static final int LAG_DELAY_SECONDS = 20;
  /** After the first stall was cancelled (about 30 s in) and before the next one (70 s in). */
  static final int FAILOVER_DELAY_SECONDS = 45;

  private final Path work;
  private final PrintWriter out;
  private final List<AutoCloseable> resources = new ArrayList<>();
  private EmbeddedPostgres primary;
  private EmbeddedPostgres replica;
  private DemoCluster cluster;
  private DemoCluster.Instance owner;
  private DemoAlerts alerts;
  /** Made up per run; printed so the person watching can call the mutating endpoints. */
  private final String apiToken = UUID.randomUUID().toString();
  /** Made up per run too, the same for both instances: they sign what they share with it. */
  private final String clusterSecret = UUID.randomUUID().toString();

  private Demo(Path work, PrintWriter out) {
    this.work = work;
    this.out = out;
  }

  /**
   * Stages the demo in {@code work} and starts two daemons in one cluster, instance a on
   * 127.0.0.1:{@code port} and b on {@code port + 1} (both on free ports when it is 0).
   *
   * @param binariesCache where the bundled PostgreSQL binaries are unpacked (kept between runs)
   * @param env           where {@code SLACK_WEBHOOK_URL} and {@code PD_ROUTING_KEY} are looked up
   */
  public static Demo start(Path work, int port, int major, Path binariesCache,
      Map<String, String> env, PrintWriter out) throws Exception {
    Demo demo = new Demo(work, out);
    try {
      demo.stage(port, major, binariesCache, env);
      return demo;
    } catch (Exception e) {
      demo.close();
      throw e;
    }
  }

  private void stage(int port, int major, Path binariesCache, Map<String, String> env) throws Exception {
    step("Starting PostgreSQL " + major + " (embedded; the first run unpacks it into " + binariesCache + ")");
    primary = EmbeddedPostgres.builder()
        .major(major)
        .name("primary")
        .binariesCache(binariesCache)
        .dataDirectory(work.resolve("primary"))
        .start();
    resources.add(primary);
    done(primary.version() + " on 127.0.0.1:" + primary.port());

    step("Creating database '" + DATABASE + "' and the monitoring role '" + MONITOR_ROLE + "'");
    try (Connection c = DriverManager.getConnection(primary.jdbcUrl("postgres"));
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + DATABASE);
      // pg_monitor to watch, pg_signal_backend for the kill switch: nothing more.
      s.execute("CREATE ROLE " + MONITOR_ROLE + " LOGIN IN ROLE pg_monitor, pg_signal_backend");
      // Deploys run as their own role (a non-superuser: pg_signal_backend cannot touch superusers).
      s.execute("CREATE ROLE " + MIGRATOR_ROLE + " LOGIN");
      s.execute("CREATE ROLE " + APP_ROLE + " LOGIN");
    }
    done("pg_monitor only, no superuser");

    step("Starting a streaming replica");
    replica = primary.startReplica(REPLICA);
    resources.add(replica);
    done(REPLICA + " on 127.0.0.1:" + replica.port());

    step("Applying the sample shop migrations with Flyway");
    Path migrations = work.resolve("db/migration");
    List<Path> files = SampleMigrations.copyTo(migrations);
    MigrateResult result = migrate(primary.jdbcUrl(DATABASE), migrations);
    try (Connection c = DriverManager.getConnection(primary.jdbcUrl(DATABASE));
        Statement s = c.createStatement()) {
      // pg_monitor sees sessions and locks, not application tables: the history needs a grant.
      s.execute("GRANT SELECT ON public.flyway_schema_history TO " + MONITOR_ROLE);
      // The demo's stalled migration alters inventory: its role owns it (owners are not drift).
      s.execute("ALTER TABLE public.inventory OWNER TO " + MIGRATOR_ROLE);
      s.execute("GRANT SELECT, UPDATE ON public.inventory TO " + APP_ROLE);
    }
    done(result.migrationsExecuted + " of " + files.size() + " files applied, schema version "
        + result.targetSchemaVersion);

    step("Staging history drift: editing an applied migration and adding a pending one");
    DriftScenarios.editHistory(migrations);
    done(DriftScenarios.EDITED + " edited, " + DriftScenarios.ADDED + " added");

    step("Applying a hand \"hotfix\" to the live schema (structural drift)");
    DriftScenarios.hotfix(primary.jdbcUrl(DATABASE));
    done("an index made by hand, a changed default, an INVALID index from a failed CREATE INDEX CONCURRENTLY");

    step("Routing alerts");
    alerts = DemoAlerts.start(env, out);
    resources.add(alerts);
    done(alerts.description());

    step("Starting two pgvigil instances, a and b, in one cluster (Hazelcast on 127.0.0.1)");
    cluster = DemoCluster.start(port, work, binariesCache, this::writeConfig, alerts.environment());
    resources.add(cluster);
    // No URL yet: the first one the demo prints is the owner's status page, in the welcome text.
    done(String.join(", ", cluster.instances().stream().map(i -> i.name() + " on " + i.url().replace("http://", ""))
        .toList()));

    step("Waiting for one of them to own '" + TARGET + "' (its advisory lock on the target)");
    owner = cluster.awaitOwner(TARGET).orElse(null);
    done(owner == null ? "no owner yet" : "instance " + owner.name() + " owns it; the other stands by");

    step("Reviewing the pending migration before it is deployed (pgvigil review)");
    PgvigilConfig config = new ConfigLoader(alerts.environment()).load(cluster.instances().get(0).config());
    review(config, new ShadowSettings.Storage(binariesCache, work.resolve("shadow"), work.resolve("spool"),
        work.resolve("state")));

    resources.add(LockStallScenario.start(primary.jdbcUrl(DATABASE).replace("user=postgres", "user=" + APP_ROLE),
        primary.jdbcUrl(DATABASE).replace("user=postgres", "user=" + MIGRATOR_ROLE)
            + "&ApplicationName=" + MIGRATION_APPLICATION,
        STALL_DELAY_SECONDS));
    resources.add(ReplicaLagScenario.start(primary.jdbcUrl(DATABASE), replica.jdbcUrl(DATABASE), LAG_DELAY_SECONDS));
    resources.add(FailoverScenario.start(cluster, TARGET, out, FAILOVER_DELAY_SECONDS));
  }

  /** What {@code pgvigil review} says about the staged pending migration, as its text output. */
  private void review(PgvigilConfig config, ShadowSettings.Storage storage) {
    TargetConfig shop = config.targets().stream().filter(t -> t.name().equals(TARGET)).findFirst().orElseThrow();
    TargetReview review = new ReviewRun(storage, shop, line -> {}, Clock.systemUTC()).review(shop);
    StringWriter text = new StringWriter();
    ReviewText.print(List.of(review), Level.BLOCK, review.error().isEmpty() && review.count(Level.BLOCK) == 0,
        new PrintWriter(text));
    text.toString().lines().forEach(line -> out.println("  | " + line));
    done(review.error().isPresent() ? "the review failed" : "a shadow replayed the applied history and ran "
        + DriftScenarios.ADDED + " statement by statement");
  }

  /**
   * Flyway as a team would run it, with {@code postgresql.transactional.lock=false}: with the default a migration
   * containing CREATE INDEX CONCURRENTLY waits forever for Flyway's own lock transaction (flyway/flyway#3497, #3854).
   * The tests migrate their live databases with it too.
   */
  public static MigrateResult migrate(String jdbcUrl, Path locations) {
    FluentConfiguration configuration = Flyway.configure()
        .dataSource(jdbcUrl, null, null)
        .locations("filesystem:" + locations.toAbsolutePath());
    configuration.getConfigurationExtension(PostgreSQLConfigurationExtension.class)
        .setTransactionalLock(false);
    return configuration.load().migrate();
  }

  /** Instance {@code instance}'s config: the same for both but for the listen port, its name and its cluster port. */
  private Path writeConfig(String instance, int port, int clusterPort, List<Integer> clusterPorts) throws IOException {
    Path file = work.resolve("pgvigil-" + instance + ".yaml");
    String peers = String.join(", ", clusterPorts.stream().map(p -> "\"127.0.0.1:" + p + "\"").toList());
    Files.writeString(file, fill("/demo/pgvigil.yaml", Map.ofEntries(Map.entry("port", port),
        Map.entry("instance", instance), Map.entry("clusterPort", clusterPort), Map.entry("peers", peers),
        Map.entry("clusterSecret", clusterSecret),
        Map.entry("apiToken", apiToken), Map.entry("target", TARGET), Map.entry("monitorRole", MONITOR_ROLE),
        Map.entry("database", DATABASE), Map.entry("primaryPort", primary.port()), Map.entry("replica", REPLICA),
        Map.entry("replicaPort", replica.port()), Map.entry("migrationApplication", MIGRATION_APPLICATION),
        Map.entry("appRole", APP_ROLE), Map.entry("alerts", alerts.yaml(port)))));
    return file;
  }

  public void printWelcome() throws IOException {
    DemoCluster.Instance first = owner == null ? cluster.instances().get(0) : owner;
    DemoCluster.Instance other = cluster.instances().stream().filter(i -> i != first).findFirst().orElseThrow();
    out.print(fill("/demo/welcome.txt", Map.ofEntries(Map.entry("base", first.url()),
        Map.entry("owner", first.name()), Map.entry("other", other.name()), Map.entry("otherBase", other.url()),
        Map.entry("ownerRole", owner == null ? "will own 'shop' (no owner yet)" : "owns 'shop'"),
        Map.entry("configA", cluster.instances().get(0).config()),
        Map.entry("configB", cluster.instances().get(1).config()),
        Map.entry("failoverDelay", FAILOVER_DELAY_SECONDS),
        Map.entry("primary", primary.uri(DATABASE)), Map.entry("replica", REPLICA),
        Map.entry("replicaPort", replica.port()), Map.entry("config", cluster.instances().get(0).config()),
        Map.entry("migrations", work.resolve("db/migration")), Map.entry("monitorRole", MONITOR_ROLE),
        Map.entry("edited", DriftScenarios.EDITED), Map.entry("added", DriftScenarios.ADDED),
        Map.entry("apiToken", apiToken), Map.entry("handIndex", DriftScenarios.HAND_INDEX),
        Map.entry("changedDefault", DriftScenarios.CHANGED_DEFAULT),
        Map.entry("invalidIndex", DriftScenarios.INVALID_INDEX), Map.entry("stallDelay", STALL_DELAY_SECONDS),
        Map.entry("stallSeconds", LockStallScenario.STALL_SECONDS), Map.entry("lagDelay", LAG_DELAY_SECONDS),
        Map.entry("pauseSeconds", ReplicaLagScenario.PAUSE_SECONDS), Map.entry("alerts", alerts.description()))));
    out.flush();
  }

  /** The text of {@code resource} with its {{names}} replaced by {@code values}. */
  private static String fill(String resource, Map<String, Object> values) throws IOException {
    String text;
    try (InputStream in = Demo.class.getResourceAsStream(resource)) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    for (Map.Entry<String, Object> value : values.entrySet()) {
      text = text.replace("{{" + value.getKey() + "}}", String.valueOf(value.getValue()));
    }
    return text;
  }

  private long stepStarted;

  private void step(String what) {
    stepStarted = System.nanoTime();
    out.println("* " + what);
    out.flush();
  }

  private void done(String detail) {
    long millis = (System.nanoTime() - stepStarted) / 1_000_000;
    out.println("  " + detail + " (" + millis + " ms)");
    out.flush();
  }

  static ThreadFactory daemonThreads(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }

  @Override
  public void close() throws Exception {
    Exception first = null;
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (Exception e) {
        if (first == null) {
          first = e;
        }
      }
    }
    resources.clear();
    if (first != null) {
      throw first;
    }
  }
}

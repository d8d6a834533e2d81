package io.pgvigil.checks.review;

import io.pgvigil.checks.history.MigrationSource;
import io.pgvigil.checks.shadow.ShadowDatabase;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.internal.info.MigrationInfoImpl;

/**
 * Asks Flyway itself whether it will run each pending migration in a transaction, the decision its {@code migrate}
 * makes: its PostgreSQL parser marks some statements non-transactional (in Flyway 13: CREATE/DROP [UNIQUE] INDEX
 * CONCURRENTLY, REINDEX SCHEMA/DATABASE/SYSTEM, CREATE/DROP DATABASE/TABLESPACE/SUBSCRIPTION, ALTER SYSTEM, VACUUM,
 * DISCARD ALL; <em>not</em> REINDEX INDEX/TABLE CONCURRENTLY), a {@code .sql.conf} beside the file may say
 * {@code executeInTransaction}, and with {@code mixed} false a migration holding both kinds is refused. Not
 * re-implemented here: Flyway's own resolver and parser decide, with the shadow as its connection (the parser asks the
 * server version).
 *
 * <p>Blocking (JDBC): never call it on an event loop.
 */
public final class FlywayTransactions {

  private final boolean mixed;

  /** @param mixed Flyway's {@code mixed} setting at deploy (its default is false) */
  public FlywayTransactions(boolean mixed) {
    this.mixed = mixed;
  }

  /**
   * The plan of each of {@code scripts} (as Flyway names them, relative to their location); a
   * script Flyway does not resolve is left out.
   *
   * @param shadow a database of the target's major; only read
   */
  public Map<String, TransactionPlan> plan(ShadowDatabase shadow, MigrationSource.Flyway source,
      Collection<String> scripts) {
    Map<String, MigrationInfoImpl> asDeployed = resolve(configure(shadow, source).mixed(mixed));
    // With executeInTransaction=false as the default, only a .sql.conf saying true keeps a
    // transaction: that tells "the .sql.conf asks for it" from "the parser saw nothing".
    Map<String, MigrationInfoImpl> confOnly =
        resolve(configure(shadow, source).mixed(true).executeInTransaction(false));
    Map<String, TransactionPlan> plans = new HashMap<>();
    for (String script : scripts) {
      MigrationInfoImpl info = asDeployed.get(script);
      if (info != null) {
        plans.put(script, plan(info, confOnly.get(script)));
      }
    }
    return plans;
  }

  private TransactionPlan plan(MigrationInfoImpl info, MigrationInfoImpl confOnly) {
    boolean inTransaction;
    try {
      inTransaction = info.canExecuteInTransaction();
    } catch (FlywayException e) {
      return new TransactionPlan.Refused("Flyway refuses to run it: " + oneLine(e.getMessage()));
    }
    if (!inTransaction) {
      return new TransactionPlan.NoTransaction("Flyway runs it without a transaction (its parser marks a "
          + "statement non-transactional" + (mixed ? " and mixed is true" : "")
          + ", or its .sql.conf says executeInTransaction=false)");
    }
    boolean confSaysTrue = confOnly != null && safelyInTransaction(confOnly);
    return new TransactionPlan.OneTransaction(confSaysTrue
        ? "Flyway runs it in one transaction (its .sql.conf says executeInTransaction=true)"
        : "Flyway runs it in one transaction (its parser marks none of its statements non-transactional, "
            + "and no .sql.conf says executeInTransaction=false)");
  }

  private static boolean safelyInTransaction(MigrationInfoImpl info) {
    try {
      return info.canExecuteInTransaction();
    } catch (FlywayException e) {
      return false;
    }
  }

  private static Map<String, MigrationInfoImpl> resolve(FluentConfiguration configuration) {
    Map<String, MigrationInfoImpl> resolved = new HashMap<>();
    for (MigrationInfo info : configuration.load().info().all()) {
      if (info instanceof MigrationInfoImpl impl && impl.getResolvedMigration() != null && info.getScript() != null) {
        resolved.put(info.getScript(), impl);
      }
    }
    return resolved;
  }

  private static FluentConfiguration configure(ShadowDatabase shadow, MigrationSource.Flyway source) {
    FluentConfiguration configuration = Flyway.configure()
        .dataSource(shadow.jdbcUrl(), shadow.user(), shadow.password())
        .locations(source.locations().stream().map(path -> "filesystem:" + path.toAbsolutePath().normalize())
            .toArray(String[]::new))
        .failOnMissingLocations(true)
        // The review runs the file's text as it is; a ${placeholder} is the deploy's business.
        .placeholderReplacement(false)
        .skipDefaultCallbacks(true)
        .cleanDisabled(true)
        .connectRetries(0);
    if (source.table() != null) {
      configuration.table(source.table());
    }
    if (!source.schemas().isEmpty()) {
      configuration.schemas(source.schemas().toArray(String[]::new));
    }
    return configuration;
  }

  private static String oneLine(String message) {
    String line = message == null ? "" : message.strip().replaceAll("\\s*\\R\\s*", " ");
    return line.length() > 300 ? line.substring(0, 299) + "…" : line;
  }
}

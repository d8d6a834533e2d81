package io.pgvigil.checks.review;

import io.pgvigil.checks.locks.Command;
import io.pgvigil.checks.shadow.ShadowDatabase;
import io.pgvigil.checks.shadow.SqlScript;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Runs pending migrations on a shadow that holds the applied history, statement by statement, and watches what each
 * statement does: the locks it holds, the tables it rewrites (a new relfilenode), the constraints it adds and whether
 * they are validated, the columns it makes NOT NULL, drops or renames, and the lock_timeout in force. What it sees
 * becomes findings ({@link StatementHazards}); the shadow has no rows, so nothing here depends on table sizes.
 *
 * <p>Each migration runs as its {@link TransactionPlan} says the tool runs it, and is committed so the next one sees
 * it: in one transaction (a statement PostgreSQL refuses there fails, as it will at deploy); without one (each
 * statement is committed after it has been watched; one that cannot run in a transaction runs on its own); or not at
 * all when the tool refuses it. Unplanned (Prisma), a statement that cannot run in a transaction runs on its own
 * between two. A migration that fails is reported and rolled back, and the migrations after it are not run.
 *
 * <p>Blocking (JDBC): never call it on an event loop. It changes the shadow: use a fresh one.
 */
public final class PreflightReview {

  /** Generous: the shadow's tables are empty, so only a hang gets near it. */
  public static final Duration STATEMENT_TIMEOUT = Duration.ofMinutes(5);

  private static final Set<String> TRANSACTION_CONTROL = Set.of("BEGIN", "COMMIT", "END", "ROLLBACK", "START",
      "ABORT", "SAVEPOINT", "RELEASE");

  /**
   * {@code REINDEX [(options)] DATABASE|SYSTEM [CONCURRENTLY] name [;]}: group 1 is all but the
   * name. Without a name (PostgreSQL 16+) it needs no change, and before 16 it must fail as it will live.
   */
  private static final Pattern REINDEX_DATABASE = Pattern.compile("(?is)(REINDEX\\s*(?:\\([^)]*\\)\\s*)?"
      + "(?:DATABASE|SYSTEM)(?:\\s+CONCURRENTLY)?)\\s+(?!CONCURRENTLY\\b)(?:\"(?:[^\"]|\"\")+\"|[a-z_][\\w$]*)\\s*;?\\s*");

  private final Consumer<String> progress;

  /** @param progress receives a line before each migration, for people watching a long run */
  public PreflightReview(Consumer<String> progress) {
    this.progress = progress;
  }

  /** Reviews {@code pending} in order on {@code shadow}, which must hold the applied history. */
  public List<MigrationReview> review(ShadowDatabase shadow, List<PendingMigration> pending) throws SQLException {
    List<MigrationReview> reviews = new ArrayList<>();
    try (Connection connection = connect(shadow)) {
      DataQuestions questions = new DataQuestions();
      String failed = null;
      for (PendingMigration migration : pending) {
        if (failed != null) {
          reviews.add(MigrationReview.skipped(migration.file(), "not run: " + failed + " fails before it"));
          continue;
        }
        progress.accept("reviewing " + migration.file());
        Map<String, String> liveNames = new HashMap<>();
        Set<String> newTables = new HashSet<>();
        MigrationReview review = Suppressions.apply(migration,
            review(connection, migration, questions, liveNames, newTables)).withLiveNames(liveNames, newTables);
        reviews.add(review);
        if (review.failed()) {
          failed = migration.file();
        }
      }
    }
    return reviews;
  }

  private static Connection connect(ShadowDatabase shadow) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", shadow.user());
    if (shadow.password() != null) {
      properties.setProperty("password", shadow.password());
    }
    properties.setProperty("connectTimeout", "10");
    properties.setProperty("ApplicationName", "pgvigil review");
    // One statement per Query message, as the migration tools send them; no prepared statements.
    properties.setProperty("preferQueryMode", "simple");
    return DriverManager.getConnection(shadow.jdbcUrl(), properties);
  }

  /** {@code liveNames} and {@code newTables} receive what {@link MigrationReview#liveNames()} says. */
  private static MigrationReview review(Connection connection, PendingMigration migration, DataQuestions questions,
      Map<String, String> liveNames, Set<String> newTables) throws SQLException {
    List<SqlScript.Part> parts = SqlScript.parse(migration.sql()).parts();
    List<Finding> findings = new ArrayList<>();
    List<StatementRun> runs = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    if (migration.plan() instanceof TransactionPlan.Refused) {
      return new MigrationReview(migration.file(), true, runs, List.of(TransactionFindings.refused(migration, parts)),
          List.of("not run: the tool refuses it"));
    }
    findings.addAll(TransactionFindings.sharedMigration(migration, parts));
    findings.addAll(TransactionControl.findings(migration, parts));
    boolean oneTransaction = migration.plan() instanceof TransactionPlan.OneTransaction;
    boolean commitEach = migration.plan() instanceof TransactionPlan.NoTransaction;
    if (commitEach) {
      notes.add(migration.plan().why() + "; the review commits each statement after watching it");
    }
    // Each migration starts from the server's defaults, so one migration's SET does not excuse the next.
    try (Statement reset = connection.createStatement()) {
      reset.execute("RESET lock_timeout");
      // A constant we made, not user input.
      reset.execute("SET statement_timeout = " + STATEMENT_TIMEOUT.toMillis());
    }
    String ownStatementTimeout = show(connection, "statement_timeout");
    connection.setAutoCommit(false);
    CatalogState before = CatalogState.read(connection);
    questions.start(before);
    liveNames.putAll(questions.liveNames(before));
    newTables.addAll(questions.newTables(before));
    CatalogState previous = before;
    Map<Long, String> previousLocks = Map.of();
    try {
      for (int i = 0; i < parts.size(); i++) {
        SqlScript.Part part = parts.get(i);
        Command command = Command.of(part.text());
        String first = command.name().split(" ")[0];
        if (TRANSACTION_CONTROL.contains(first)) {
          notes.add("statement " + (i + 1) + " (" + first + ") skipped: the review runs the migration in one "
              + "transaction itself");
          continue;
        }
        boolean transactional = oneTransaction || !TransactionFindings.needsOwnTransaction(command, part.text());
        String sql = onThisDatabase(connection, part.text(), command);
        if (!sql.equals(part.text())) {
          notes.add(
              "statement " + (i + 1) + " (" + command.name() + ") run on the shadow's database, not the one it names");
        }
        BeforeStatement facts = BeforeStatement.read(connection, sql, command);
        try (Statement statement = connection.createStatement()) {
          if (transactional) {
            statement.execute(sql);
          } else {
            connection.commit();
            connection.setAutoCommit(true);
            notes.add("statement " + (i + 1) + " (" + command.name() + ") cannot run in a transaction: run on its own");
            try {
              statement.execute(sql);
            } finally {
              connection.setAutoCommit(false);
            }
          }
        } catch (SQLException e) {
          connection.rollback();
          findings.add(new Finding(Hazard.MIGRATION_FAILS, migration.file(), i + 1, errorLine(part, e),
              null, null, null, TransactionFindings.failure(migration, command, e.getSQLState(), describe(e))));
          return new MigrationReview(migration.file(), true, runs, findings, notes);
        }
        CatalogState now = CatalogState.read(connection);
        Map<Long, String> held = transactional ? HeldLocks.read(connection) : Map.of();
        String lockTimeout = show(connection, "lock_timeout");
        String statementTimeout = show(connection, "statement_timeout");
        Map<Long, String> newLocks = new HashMap<>();
        Map<String, String> shown = new TreeMap<>();
        for (Map.Entry<Long, String> lock : held.entrySet()) {
          String table = before.tableName(lock.getKey());
          if (table == null) {
            continue;
          }
          shown.put(table, HeldLocks.display(lock.getValue()));
          if (HeldLocks.isStronger(lock.getValue(), previousLocks.get(lock.getKey()))) {
            newLocks.put(lock.getKey(), lock.getValue());
          }
        }
        StatementHazards.Effects effects = new StatementHazards.Effects(migration.file(), i + 1, part.line(),
            command.name(), transactional, before, previous, now, newLocks, held, lockTimeout);
        runs.add(new StatementRun(i + 1, part.line(), command.name(), transactional, shown, lockTimeout,
            statementTimeout.equals(ownStatementTimeout) ? null : statementTimeout,
            questions.ask(connection, effects, facts.writes(), sql)));
        findings.addAll(StatementHazards.evaluate(effects));
        findings.addAll(RowHazards.evaluate(effects, facts));
        findings.addAll(RemovalHazards.evaluate(connection, effects, facts));
        previous = now;
        previousLocks = held;
        if (commitEach && transactional) {
          // Flyway commits each statement: its locks are gone before the next one.
          connection.commit();
          previousLocks = Map.of();
        }
      }
      connection.commit();
    } finally {
      connection.setAutoCommit(true);
    }
    return new MigrationReview(migration.file(), true, runs, findings, notes);
  }

  /**
   * REINDEX DATABASE and SYSTEM take only the current database's name ("can only reindex the
   * currently open database"), and the migration names the live one: on the shadow, its own.
   */
  private static String onThisDatabase(Connection connection, String sql, Command command) throws SQLException {
    if (!command.name().startsWith("REINDEX DATABASE") && !command.name().startsWith("REINDEX SYSTEM")) {
      return sql;
    }
    Matcher named = REINDEX_DATABASE.matcher(sql);
    if (!named.matches()) {
      return sql;
    }
    return named.group(1) + " " + value(connection, "SELECT pg_catalog.quote_ident(pg_catalog.current_database())");
  }

  private static String show(Connection connection, String setting) throws SQLException {
    return value(connection, "SHOW " + setting);
  }

  private static String value(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static int errorLine(SqlScript.Part part, SQLException e) {
    ServerErrorMessage server = e instanceof PSQLException p ? p.getServerErrorMessage() : null;
    int position = server == null ? 0 : server.getPosition();
    String before = part.text().substring(0, Math.max(0, Math.min(position - 1, part.text().length())));
    return part.line() + (int) before.chars().filter(c -> c == '\n').count();
  }

  private static String describe(SQLException e) {
    ServerErrorMessage server = e instanceof PSQLException p ? p.getServerErrorMessage() : null;
    String message =
        server != null && server.getMessage() != null ? server.getMessage() : String.valueOf(e.getMessage());
    return message.strip().replaceAll("\\s*\\R\\s*", " ")
        + (e.getSQLState() == null ? "" : " (SQLSTATE " + e.getSQLState().toUpperCase(Locale.ROOT) + ")");
  }
}

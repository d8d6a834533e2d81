package io.pgvigil.daemon.killswitch.storm;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sessions of one application role hammering a few small tables until a deadline: random row locks,
 * {@code LOCK ... IN ... MODE} in every mode, short DDL, migrations that alter two tables one after
 * the other in one transaction (the second ALTER waits while the first table stays locked), and
 * reads, each transaction left idle for a
 * random think time before it commits or rolls back. A session pgvigil terminates reconnects and
 * goes on. Every statement error (lock timeout, deadlock, a cancel) just ends that transaction.
 */
final class StormWorkload {

  static final int TABLES = 3;
  static final int HOT_ROWS = 4;

  private static final String[] MODES = {"ACCESS SHARE", "ROW SHARE", "ROW EXCLUSIVE", "SHARE UPDATE EXCLUSIVE",
      "SHARE", "SHARE ROW EXCLUSIVE", "EXCLUSIVE", "ACCESS EXCLUSIVE"};

  private final String url;
  private final Properties login;
  private final long seed;
  private final Set<Integer> backends = ConcurrentHashMap.newKeySet();
  private final AtomicInteger transactions = new AtomicInteger();
  private final AtomicInteger reconnects = new AtomicInteger();

  /** @param url a JDBC URL without credentials; {@code user}/{@code password} in {@code login} */
  StormWorkload(String url, Properties login, long seed) {
    this.url = url;
    this.login = login;
    this.seed = seed;
  }

  /** Runs {@code sessions} sessions until {@code deadline} (System.nanoTime), then returns. */
  void run(int sessions, long deadline) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(sessions);
    try {
      List<Future<?>> running = new ArrayList<>();
      for (int i = 0; i < sessions; i++) {
        Random random = new Random(seed + i);
        String name = "storm-" + i;
        running.add(pool.submit(() -> session(name, random, deadline)));
      }
      for (Future<?> f : running) {
        // Bounded: a statement waits at most the role's lock_timeout past the deadline.
        f.get(Duration.ofNanos(deadline - System.nanoTime()).toSeconds() + 30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  Set<Integer> backends() {
    return Set.copyOf(backends);
  }

  int transactions() {
    return transactions.get();
  }

  int reconnects() {
    return reconnects.get();
  }

  private Void session(String name, Random random, long deadline) throws Exception {
    Connection connection = connect(name);
    try {
      while (System.nanoTime() < deadline) {
        try {
          transaction(connection, random);
          transactions.incrementAndGet();
        } catch (SQLException e) {
          if (connection.isClosed() || !connection.isValid(2)) {
            // Terminated (57P01): a new session, as a connection pool would open.
            connection.close();
            reconnects.incrementAndGet();
            connection = connect(name);
          } else {
            connection.rollback();
          }
        }
      }
    } finally {
      connection.close();
    }
    return null;
  }

  private Connection connect(String name) throws SQLException {
    Properties properties = new Properties();
    properties.putAll(login);
    properties.setProperty("ApplicationName", name);
    Connection connection = DriverManager.getConnection(url, properties);
    try (Statement s = connection.createStatement();
        var rows = s.executeQuery("SELECT pg_backend_pid()")) {
      rows.next();
      backends.add(rows.getInt(1));
    }
    connection.setAutoCommit(false);
    return connection;
  }

  private void transaction(Connection connection, Random random) throws Exception {
    try (Statement s = connection.createStatement()) {
      int actions = 1 + random.nextInt(2);
      for (int i = 0; i < actions; i++) {
        for (String statement : action(random).split("; ")) {
          s.execute(statement);
        }
      }
    }
    // Think time: the transaction sits idle, holding what it took. Not a wait for a condition.
    TimeUnit.MILLISECONDS.sleep(random.nextInt(1_000));
    if (random.nextInt(4) == 0) {
      connection.rollback();
    } else {
      connection.commit();
    }
  }

  /** One statement, or a migration's statements separated by {@code "; "}, run one by one. */
  private static String action(Random random) {
    int table = 1 + random.nextInt(TABLES);
    String t = "t" + table;
    int row = 1 + random.nextInt(HOT_ROWS);
    int column = random.nextInt(3);
    // Mostly the application's row locks and reads; a third DDL, explicit LOCKs and two-table migrations.
    return switch (random.nextInt(22)) {
      case 0, 1, 2, 3, 4, 5, 6, 7, 8 -> "UPDATE " + t + " SET v = v + 1 WHERE id = " + row;
      case 9, 10 -> "SELECT * FROM " + t + " WHERE id = " + row + " FOR UPDATE";
      case 11, 12 -> "SELECT count(*) FROM " + t;
      case 13, 14, 15 -> "LOCK " + t + " IN " + MODES[random.nextInt(MODES.length)] + " MODE";
      case 16 -> "ALTER TABLE " + t + " ADD COLUMN IF NOT EXISTS c" + column + " int";
      case 17 -> "ALTER TABLE " + t + " DROP COLUMN IF EXISTS c" + column;
      case 18 -> random.nextBoolean() ? "CREATE INDEX IF NOT EXISTS " + t + "_v" + column + " ON " + t + " (v)"
          : "DROP INDEX IF EXISTS " + t + "_v" + column;
      case 19 -> random.nextBoolean() ? "ALTER TABLE " + t + " SET (fillfactor = " + (70 + random.nextInt(30)) + ")"
          : "ALTER TABLE " + t + " VALIDATE CONSTRAINT " + t + "_v_check";
      default -> "ALTER TABLE " + t + " ADD COLUMN IF NOT EXISTS c" + column + " int; ALTER TABLE t"
          + (1 + table % TABLES) + " ALTER COLUMN v SET DEFAULT " + random.nextInt(10);
    };
  }
}

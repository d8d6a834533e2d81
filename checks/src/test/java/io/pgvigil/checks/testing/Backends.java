package io.pgvigil.checks.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * JDBC sessions a test drives to build a lock situation. Statements that block run on a background
 * thread; {@link #close()} terminates every backend it opened (through a separate superuser session, since
 * a blocked JDBC connection cannot be used) and closes everything.
 */
public final class Backends implements AutoCloseable {

  /** One session: its connection and its backend pid. */
  public record Backend(Connection connection, int pid) {}

  private final TestPostgres pg;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final List<Backend> backends = new ArrayList<>();
  private final List<Future<?>> running = new ArrayList<>();

  public Backends(TestPostgres pg) {
    this.pg = pg;
  }

  /** A new session with autocommit as asked, named for {@code pg_stat_activity.application_name}. */
  public Backend open(String applicationName, boolean autocommit) throws SQLException {
    return open(applicationName, autocommit, pg.user(), pg.password());
  }

  /** As {@link #open(String, boolean)}, logged in as another role. */
  public Backend open(String applicationName, boolean autocommit, String user, String password)
      throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("ApplicationName", applicationName);
    properties.setProperty("user", user);
    if (password != null) {
      properties.setProperty("password", password);
    }
    String url = "jdbc:postgresql://" + pg.host() + ":" + pg.port() + "/" + pg.database();
    Connection connection = DriverManager.getConnection(url, properties);
    int pid;
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT pg_backend_pid()")) {
      rows.next();
      pid = rows.getInt(1);
    }
    connection.setAutoCommit(autocommit); // after the pid query, so no transaction is open yet
    Backend backend = new Backend(connection, pid);
    synchronized (backends) {
      backends.add(backend);
    }
    return backend;
  }

  /** Runs a statement now, on this thread (it must not block). */
  public static void execute(Backend backend, String sql) throws SQLException {
    try (Statement statement = backend.connection().createStatement()) {
      statement.execute(sql);
    }
  }

  /** Starts a statement that will block, on a background thread; its failure at cleanup is expected. */
  public Future<?> start(Backend backend, String sql) {
    Future<?> future = executor.submit(() -> {
      execute(backend, sql);
      return null;
    });
    running.add(future);
    return future;
  }

  /** Whether the session waits for a lock now (pg_stat_activity.wait_event_type). */
  public boolean waitingOnLock(int pid) throws SQLException {
    return "Lock".equals(activity(pid, "wait_event_type"));
  }

  /** pg_stat_activity.state, or null once the backend is gone. */
  public String state(int pid) throws SQLException {
    return activity(pid, "state");
  }

  private String activity(int pid, String column) throws SQLException {
    try (Connection connection = pg.connect();
        PreparedStatement statement = connection.prepareStatement(
            "SELECT " + column + " FROM pg_stat_activity WHERE pid = ?")) {
      statement.setInt(1, pid);
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next() ? rows.getString(1) : null;
      }
    }
  }

  @Override
  public void close() throws Exception {
    try (Connection admin = pg.connect();
        PreparedStatement terminate = admin.prepareStatement("SELECT pg_terminate_backend(?)")) {
      for (Backend backend : backends) {
        terminate.setInt(1, backend.pid());
        terminate.execute();
      }
    } finally {
      for (Future<?> future : running) {
        try {
          future.get(10, TimeUnit.SECONDS);
        } catch (Exception expected) {
          // terminated on purpose
        }
      }
      for (Backend backend : backends) {
        backend.connection().close();
      }
      executor.shutdownNow();
      backends.clear();
      running.clear();
    }
  }
}

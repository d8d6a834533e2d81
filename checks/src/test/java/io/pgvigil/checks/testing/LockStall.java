package io.pgvigil.checks.testing;

import static org.awaitility.Awaitility.await;

import io.pgvigil.checks.testing.Backends.Backend;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The stall of SPEC "Known traps", built step by step on real sessions: a holder idle in transaction on
 * a table, a migration's DDL waiting for it, readers queued behind the DDL (they wait for the DDL's
 * request, not for the holder). {@link Backends#close()} ends every session.
 *
 * <pre>{@code
 * LockStall stall = new LockStall(backends, "orders").hold("UPDATE orders SET v = v + 1 WHERE id = 1")
 *     .migrate().queue(5).awaitQueued();
 * }</pre>
 */
public final class LockStall {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private final Backends backends;
  private final String table;
  private String user;
  private String password;
  private Backend holder;
  private Backend alter;
  private Future<?> altering;
  private final List<Backend> readers = new ArrayList<>();
  private final List<Future<?>> reading = new ArrayList<>();

  public LockStall(Backends backends, String table) {
    this.backends = backends;
    this.table = table;
  }

  /** Opens the stall's sessions as this role rather than the test server's superuser. */
  public LockStall as(String user, String password) {
    this.user = user;
    this.password = password;
    return this;
  }

  /** The holder, {@code app-holder}: runs {@code sql} in a transaction it leaves open. */
  public LockStall hold(String sql) throws SQLException {
    holder = open("app-holder", false);
    Backends.execute(holder, sql);
    return this;
  }

  /**
   * The migration, {@code migration}: {@code ALTER TABLE <table> ADD COLUMN IF NOT EXISTS note text}.
   * IF NOT EXISTS still takes the ACCESS EXCLUSIVE lock first, so a table stalls the same way again after
   * an ALTER that went through.
   */
  public LockStall migrate() throws SQLException {
    return migrate("ALTER TABLE " + table + " ADD COLUMN IF NOT EXISTS note text");
  }

  /** The migration runs {@code sql}; returns once it waits for a lock. */
  public LockStall migrate(String sql) throws SQLException {
    alter = open("migration", true);
    altering = backends.start(alter, sql);
    await().atMost(WAIT).until(() -> backends.waitingOnLock(alter.pid()));
    return this;
  }

  /** Starts {@code count} more readers, {@code app-reader-<i>}: {@code SELECT * FROM <table> WHERE id = <i>}. */
  public LockStall queue(int count) throws SQLException {
    int first = readers.size() + 1;
    for (int i = first; i < first + count; i++) {
      Backend reader = open("app-reader-" + i, true);
      reading.add(backends.start(reader, "SELECT * FROM " + table + " WHERE id = " + i));
      readers.add(reader);
    }
    return this;
  }

  /** Returns once every reader waits for a lock. */
  public LockStall awaitQueued() {
    await().atMost(WAIT).until(() -> {
      for (Backend reader : readers) {
        if (!backends.waitingOnLock(reader.pid())) {
          return false;
        }
      }
      return true;
    });
    return this;
  }

  /** The holder lets go (rolls back): the DDL runs, then the readers. */
  public void clear() throws Exception {
    holder.connection().rollback();
    if (altering != null) {
      altering.get(30, TimeUnit.SECONDS);
    }
    for (Future<?> reader : reading) {
      reader.get(30, TimeUnit.SECONDS);
    }
  }

  public Backend holder() {
    return holder;
  }

  /** The migration's session. */
  public Backend alter() {
    return alter;
  }

  /** The DDL's statement: it fails with SQLSTATE 57014 when cancelled. */
  public Future<?> altering() {
    return altering;
  }

  public List<Integer> readerPids() {
    return readers.stream().map(Backend::pid).toList();
  }

  public List<Future<?>> reading() {
    return List.copyOf(reading);
  }

  private Backend open(String applicationName, boolean autocommit) throws SQLException {
    return user == null ? backends.open(applicationName, autocommit)
        : backends.open(applicationName, autocommit, user, password);
  }
}

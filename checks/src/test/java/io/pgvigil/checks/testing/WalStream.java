package io.pgvigil.checks.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;

/**
 * A WAL sender that is not a standby: a physical replication connection that streams WAL from the
 * primary's current position (the connection {@code pg_basebackup -X stream} opens beside its base
 * backup), under an {@code application_name} of the test's choosing. It is listed in
 * {@code pg_stat_replication} while open and leaves when closed, as a finished backup does.
 */
public final class WalStream implements AutoCloseable {

  private final Connection connection;
  private final PGReplicationStream stream;

  private WalStream(Connection connection, PGReplicationStream stream) {
    this.connection = connection;
    this.stream = stream;
  }

  /** Opens a replication connection to {@code server} as its superuser and starts streaming WAL. */
  public static WalStream open(TestPostgres server, String applicationName) throws SQLException {
    String start;
    try (Connection c = server.connect();
        Statement s = c.createStatement();
        ResultSet rows = s.executeQuery("SELECT pg_current_wal_lsn()::text")) {
      rows.next();
      start = rows.getString(1);
    }
    Properties props = new Properties();
    PGProperty.USER.set(props, server.user());
    if (server.password() != null) {
      PGProperty.PASSWORD.set(props, server.password());
    }
    // replication=true: a physical walsender; replication connections take only the simple query protocol.
    PGProperty.REPLICATION.set(props, "true");
    PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "10");
    PGProperty.PREFER_QUERY_MODE.set(props, "simple");
    PGProperty.APPLICATION_NAME.set(props, applicationName);
    Connection connection = DriverManager.getConnection(
        "jdbc:postgresql://" + server.host() + ":" + server.port() + "/" + server.database(), props);
    try {
      PGReplicationStream stream = connection.unwrap(PGConnection.class).getReplicationAPI()
          .replicationStream().physical().withStartPosition(LogSequenceNumber.valueOf(start)).start();
      return new WalStream(connection, stream);
    } catch (SQLException | RuntimeException e) {
      connection.close();
      throw e;
    }
  }

  /** Ends the stream and the connection: the WAL sender leaves. */
  @Override
  public void close() throws SQLException {
    try {
      stream.close();
    } finally {
      connection.close();
    }
  }
}

package io.pgvigil.checks.shadow;

import io.pgvigil.checks.history.HistoryDatabase;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postgresql.Driver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A shadow on a scratch server the user provides ({@code shadow.mode: url}): one uniquely named
 * database, created from template0 and dropped on close. No other database is ever touched.
 */
final class ServerShadow extends ShadowDatabase {

  private static final Logger LOG = LoggerFactory.getLogger(ServerShadow.class);
  static final String PREFIX = "pgvigil_shadow_";
  private static final int NAME_ATTEMPTS = 3;
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(60);

  private static final String WHO_AM_I = """
      SELECT current_setting('server_version_num')::int / 10000 AS major,
             current_user::text AS role,
             (SELECT rolcreatedb OR rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) AS may_create
      """;

  private final HistoryDatabase admin;
  private final JdbcUrl shadowUrl;

  private ServerShadow(HistoryDatabase admin, JdbcUrl shadowUrl, String database, int major) {
    super(shadowUrl.url(), admin.user(), admin.password(), shadowUrl.host(), shadowUrl.port(), database, major);
    this.admin = admin;
    this.shadowUrl = shadowUrl;
  }

  static ServerShadow create(HistoryDatabase admin, int expectedMajor, SecureRandom random) throws ShadowException {
    JdbcUrl adminUrl = JdbcUrl.parse(admin.jdbcUrl());
    try (Connection connection = connect(admin); Statement statement = connection.createStatement()) {
      ResultSet row = statement.executeQuery(WHO_AM_I);
      row.next();
      int major = row.getInt("major");
      String role = row.getString("role");
      if (major != expectedMajor) {
        throw new ShadowException("the shadow server " + adminUrl.hostAndPort() + " runs PostgreSQL " + major
            + " but the live server runs " + expectedMajor + ": the shadow must run the live major, because"
            + " pg_get_*def() output differs between majors; point shadow.url at a PostgreSQL " + expectedMajor
            + " server");
      }
      if (!row.getBoolean("may_create")) {
        throw noCreateDb(role, adminUrl, null);
      }
      String name = createUniqueDatabase(connection, role, adminUrl, random);
      LOG.info("created shadow database {} on {}", name, adminUrl.hostAndPort());
      return new ServerShadow(admin, adminUrl.withDatabase(name), name, major);
    } catch (SQLException e) {
      throw new ShadowException("cannot use the shadow server " + adminUrl.hostAndPort() + ": " + Sqls.describe(e), e);
    }
  }

  private static String createUniqueDatabase(Connection connection, String role, JdbcUrl adminUrl, SecureRandom random)
      throws SQLException, ShadowException {
    for (int attempt = 1;; attempt++) {
      byte[] suffix = new byte[8];
      random.nextBytes(suffix);
      String name = PREFIX + HexFormat.of().formatHex(suffix);
      try (Statement statement = connection.createStatement()) {
        // Identifiers cannot be bound; the name is ours (prefix + hex), quoted anyway.
        // template0, not template1: objects a user put into template1 would show up as drift.
        statement.execute("CREATE DATABASE \"" + name + "\" TEMPLATE template0");
        return name;
      } catch (SQLException e) {
        if ("42P04".equals(e.getSQLState()) && attempt < NAME_ATTEMPTS) {
          // duplicate_database: someone else's shadow (64 random bits: practically never); never reuse it
          continue;
        }
        if ("42501".equals(e.getSQLState())) {
          throw noCreateDb(role, adminUrl, e);
        }
        throw e;
      }
    }
  }

  private static ShadowException noCreateDb(String role, JdbcUrl url, SQLException cause) {
    return new ShadowException("role " + role + " may not create databases on the shadow server " + url.hostAndPort()
        + ": run ALTER ROLE \"" + role + "\" CREATEDB there (pgvigil creates one pgvigil_shadow_<hex> database per"
        + " drift check and drops it afterwards)", cause);
  }

  private static Connection connect(HistoryDatabase database) throws SQLException {
    return Sqls.connect(database.jdbcUrl(), database.user(), database.password(), ADMIN_TIMEOUT, false);
  }

  @Override
  void remove() {
    try (Connection connection = connect(admin); Statement statement = connection.createStatement()) {
      // FORCE (PostgreSQL 13+) ends sessions a failed replay or snapshot may have left behind.
      statement.execute("DROP DATABASE IF EXISTS \"" + database() + "\" WITH (FORCE)");
      LOG.info("dropped shadow database {} on {}", database(), shadowUrl.hostAndPort());
    } catch (SQLException | RuntimeException e) {
      LOG.warn("cannot drop shadow database {} on {}: {}; drop it by hand", database(), shadowUrl.hostAndPort(),
          e instanceof SQLException s ? Sqls.describe(s) : e.toString(), e);
    }
  }

  @Override
  public String toString() {
    return "shadow database " + database() + " on " + shadowUrl.hostAndPort();
  }

  /**
   * A {@code jdbc:postgresql://hosts/database?params} URL split so that the database can be
   * swapped (the shadow lives beside the admin database) and the first host named in messages.
   */
  private record JdbcUrl(String authority, String database, String query, String host, int port) {

    private static final String SCHEME = "jdbc:postgresql://";
    // The authority, then the database (swapped), then the query, if any.
    private static final Pattern PARTS =
        Pattern.compile("jdbc:postgresql://([^/?]*)[^?]*(.*)", Pattern.DOTALL);

    static JdbcUrl parse(String url) throws ShadowException {
      // pgjdbc's own parser, so that defaults (port 5432, database = user) match the driver's.
      Properties parsed = url == null ? null : Driver.parseURL(url, null);
      Matcher parts = url == null ? null : PARTS.matcher(url);
      if (parsed == null || !parts.matches()) {
        throw new ShadowException("the shadow server URL must look like jdbc:postgresql://host:port/database"
            + " but was '" + url + "'");
      }
      String host = parsed.getProperty("PGHOST", "localhost").split(",")[0];
      int port = Integer.parseInt(parsed.getProperty("PGPORT", "5432").split(",")[0]);
      return new JdbcUrl(parts.group(1), parsed.getProperty("PGDBNAME", ""), parts.group(2), host, port);
    }

    JdbcUrl withDatabase(String name) {
      return new JdbcUrl(authority, name, query, host, port);
    }

    String url() {
      return SCHEME + authority + "/" + database + query;
    }

    String hostAndPort() {
      return host + ":" + port;
    }
  }
}

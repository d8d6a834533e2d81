package io.pgvigil.checks.shadow;

import java.util.Properties;
import org.postgresql.Driver;

/**
 * A {@code jdbc:postgresql://hosts/database?params} URL split so that the database can be
 * swapped (the shadow lives beside the admin database) and the first host named in messages.
 */
record JdbcUrl(String authority, String database, String query, String host, int port) {

  private static final String SCHEME = "jdbc:postgresql://";

  static JdbcUrl parse(String url) throws ShadowException {
    // pgjdbc's own parser, so that defaults (port 5432, database = user) match the driver's.
    Properties parsed = url == null ? null : Driver.parseURL(url, null);
    if (parsed == null || !url.startsWith(SCHEME)) {
      throw new ShadowException("the shadow server URL must look like jdbc:postgresql://host:port/database"
          + " but was '" + url + "'");
    }
    String rest = url.substring(SCHEME.length());
    int queryAt = rest.indexOf('?');
    String query = queryAt < 0 ? "" : rest.substring(queryAt);
    String hostPart = queryAt < 0 ? rest : rest.substring(0, queryAt);
    int slash = hostPart.indexOf('/');
    String authority = slash < 0 ? hostPart : hostPart.substring(0, slash);
    String host = parsed.getProperty("PGHOST", "localhost").split(",")[0];
    int port = Integer.parseInt(parsed.getProperty("PGPORT", "5432").split(",")[0]);
    return new JdbcUrl(authority, parsed.getProperty("PGDBNAME", ""), query, host, port);
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

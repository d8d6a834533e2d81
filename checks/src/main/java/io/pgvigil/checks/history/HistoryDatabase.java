package io.pgvigil.checks.history;

/**
 * How the history reader connects (JDBC: Flyway's API needs it). The password
 * never appears in {@link #toString()}.
 *
 * @param jdbcUrl  e.g. {@code jdbc:postgresql://db:5432/app}, without credentials
 * @param password null when the server does not ask for one
 */
public record HistoryDatabase(String jdbcUrl, String user, String password) {

  @Override
  public String toString() {
    return "HistoryDatabase[jdbcUrl=" + jdbcUrl + ", user=" + user + "]";
  }
}

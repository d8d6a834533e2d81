package io.pgvigil.checks.shadow;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * Roles a history names, made on an embedded shadow before the replay: a {@code GRANT ... TO app_reader} or {@code
 * ALTER ... OWNER TO app_owner} fails where the role does not exist, and the embedded server has only its superuser.
 * Names only: NOLOGIN, no password, no membership; the shadow goes away after the snapshot. Not on a {@code url}
 * shadow, where roles would outlive the scratch database on a server the operator owns.
 */
final class ShadowRoles {

  private ShadowRoles() {}

  static void create(ShadowDatabase shadow, Collection<String> roles) throws ReplayException {
    try (Connection connection = Sqls.connect(shadow.jdbcUrl(), shadow.user(), shadow.password(),
        Shadows.REPLAY_TIMEOUT, false); Statement statement = connection.createStatement()) {
      Set<String> existing = new HashSet<>();
      try (ResultSet rows = statement.executeQuery("SELECT rolname FROM pg_catalog.pg_roles")) {
        while (rows.next()) {
          existing.add(rows.getString(1));
        }
      }
      for (String role : roles) {
        // pg_ names are reserved for PostgreSQL's own roles; CREATE ROLE refuses them.
        if (!role.startsWith("pg_") && !role.equals("public") && existing.add(role)) {
          statement.execute("CREATE ROLE \"" + role.replace("\"", "\"\"") + "\" NOLOGIN");
        }
      }
    } catch (SQLException e) {
      throw ReplayException.general("cannot create the live database's roles on the shadow: " + Sqls.describe(e), e);
    }
  }
}

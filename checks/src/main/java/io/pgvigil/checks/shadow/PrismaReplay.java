package io.pgvigil.checks.shadow;

import io.pgvigil.checks.history.MigrationSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Runs Prisma's applied {@code migration.sql} files in order, each sent whole as one simple Query,
 * as {@code prisma migrate deploy} does: a multi-statement script is one implicit transaction, so a
 * failure leaves nothing of that script behind. No {@code _prisma_migrations} is written: the
 * snapshot ignores the history table on both sides, and nothing else reads it from a shadow.
 */
final class PrismaReplay {

  private PrismaReplay() {}

  static void replay(ShadowDatabase shadow, MigrationSource.Prisma source, List<String> appliedNames,
      Duration timeout) throws ReplayException {
    try (Connection connection = Sqls.connect(shadow.jdbcUrl(), shadow.user(), shadow.password(), timeout, true)) {
      for (String name : appliedNames) {
        String file = name + "/migration.sql";
        String sql;
        try {
          sql = Files.readString(source.directory().resolve(name).resolve("migration.sql"), StandardCharsets.UTF_8);
        } catch (IOException e) {
          throw ReplayException.general("cannot replay " + file + ": it is applied in the live database but cannot"
              + " be read from the repository (" + e + ")", e);
        }
        try (Statement statement = connection.createStatement()) {
          statement.execute(sql);
        } catch (SQLException e) {
          throw failure(connection, file, sql, e);
        }
      }
    } catch (SQLException e) {
      throw ReplayException.general("cannot replay the Prisma history into " + shadow + ": " + Sqls.describe(e), e);
    }
  }

  /** Names the failing statement: from the error's position, else by finding it again. */
  private static ReplayException failure(Connection connection, String file, String sql, SQLException e) {
    SqlScript script = SqlScript.parse(sql);
    ServerErrorMessage server = e instanceof PSQLException p ? p.getServerErrorMessage() : null;
    int position = server == null ? 0 : server.getPosition(); // 1-based character offset; 0 = none
    SqlScript.Part part = null;
    int line = 0;
    if (position > 0) {
      part = script.at(position - 1);
      line = SqlScript.lineOf(sql, position - 1);
    } else if (script.parts().size() == 1) {
      part = script.parts().get(0);
    } else if (!script.controlsTransactions()) {
      part = findAgain(connection, script, e.getSQLState());
    }
    if (part != null && line == 0) {
      line = part.line();
    }
    return ReplayException.atStatement(file, part == null ? null : part.text(), line, Sqls.message(e),
        e.getSQLState(), e);
  }

  /**
   * Most DDL errors carry no position. The failed script left nothing behind (one implicit
   * transaction), so running its statements one by one in a transaction that is rolled back
   * finds the first that fails the same way. Scripts with their own BEGIN/COMMIT are skipped:
   * part of them may have been committed, and a rerun would fail elsewhere.
   */
  private static SqlScript.Part findAgain(Connection connection, SqlScript script, String sqlState) {
    try (Statement statement = connection.createStatement()) {
      statement.execute("BEGIN");
      try {
        for (SqlScript.Part part : script.parts()) {
          try {
            statement.execute(part.text());
          } catch (SQLException again) {
            return sqlState != null && sqlState.equals(again.getSQLState()) ? part : null;
          }
        }
        return null;
      } finally {
        statement.execute("ROLLBACK");
      }
    } catch (SQLException e) {
      return null; // only a diagnosis: the original error is reported anyway
    }
  }
}

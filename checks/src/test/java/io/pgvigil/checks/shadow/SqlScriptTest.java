package io.pgvigil.checks.shadow;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SqlScriptTest {

  @Test
  void splitsOnSemicolonsOutsideQuotesCommentsAndDollarQuotes() {
    SqlScript script = SqlScript.parse("""
        -- a comment; not a statement
        CREATE TABLE "a;b" (x text DEFAULT 'it''s; here', y text DEFAULT E'\\'; still');
        /* block /* nested; */ still comment; */
        CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $body$ BEGIN RETURN 1; END; $body$;
        SELECT $1, a$b FROM t;
        DO $$ BEGIN PERFORM 1; END $$
        """);

    assertThat(script.parts()).extracting(SqlScript.Part::line).containsExactly(2, 4, 5, 6);
    assertThat(script.parts().get(0).text()).startsWith("CREATE TABLE \"a;b\"").endsWith("still');");
    assertThat(script.parts().get(1).text()).endsWith("$body$;");
    assertThat(script.parts().get(3).text()).isEqualTo("DO $$ BEGIN PERFORM 1; END $$");
    assertThat(script.controlsTransactions()).isFalse();
  }

  @Test
  void findsTheStatementAtAnOffsetAndSeesTransactionControl() {
    String sql = "BEGIN;\nCREATE TABLE t (a int);\nCOMMIT;\n";
    SqlScript script = SqlScript.parse(sql);

    assertThat(script.at(sql.indexOf("TABLE")).text()).isEqualTo("CREATE TABLE t (a int);");
    assertThat(script.at(sql.length())).isNull();
    assertThat(SqlScript.lineOf(sql, sql.indexOf("COMMIT"))).isEqualTo(3);
    assertThat(script.controlsTransactions()).isTrue();
  }
}

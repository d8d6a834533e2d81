package io.pgvigil.checks.schema;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MigrationSqlTest {

  @Test
  void aFunctionBodyIsLeftAsItIsEvenWhereALineLooksLikeAHazard() {
    String function = """
        CREATE OR REPLACE FUNCTION app.retype()
         RETURNS void
         LANGUAGE plpgsql
        AS $function$
        BEGIN
        ALTER TABLE app.t ALTER COLUMN c TYPE bigint;
        END
        $function$;
        ALTER TABLE app.t ALTER COLUMN c TYPE bigint;""";
    String accepted = MigrationSql.accepted(function);
    assertThat(accepted.lines().filter(line -> line.startsWith("-- pgvigil:ignore table-rewrite"))).hasSize(1);
    assertThat(accepted).startsWith(function.substring(0, function.indexOf("$function$;")));
  }

  @Test
  void addedColumnsThatRewriteAndPrimaryKeysThatScanAreAccepted() {
    assertThat(MigrationSql.accepted("ALTER TABLE app.t ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY;"))
        .startsWith("-- pgvigil:ignore table-rewrite ");
    assertThat(MigrationSql.accepted("ALTER TABLE app.t ADD COLUMN twice integer GENERATED ALWAYS AS ((a * 2)) "
        + "STORED;")).startsWith("-- pgvigil:ignore table-rewrite ");
    assertThat(MigrationSql.accepted("ALTER TABLE app.t ADD COLUMN at timestamptz DEFAULT clock_timestamp();"))
        .startsWith("-- pgvigil:ignore table-rewrite ");
    assertThat(MigrationSql.accepted("ALTER TABLE app.t ADD COLUMN note text;")).doesNotContain("pgvigil:ignore");
    assertThat(MigrationSql.accepted("ALTER TABLE app.t ADD CONSTRAINT t_pkey PRIMARY KEY (id);"))
        .contains("-- pgvigil:ignore set-not-null-scans ").contains("-- pgvigil:ignore index-without-concurrently ");
  }
}

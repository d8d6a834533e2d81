package io.pgvigil.checks.locks;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgvigil.checks.locks.Command.Kind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CommandTest {

  @ParameterizedTest(name = "{0} -> {1} {2}")
  @CsvSource(delimiter = '|', textBlock = """
      ALTER TABLE orders ADD COLUMN note text                          | DDL   | ALTER TABLE
      -- V7: add note\\n  /* reviewed */ alter table orders add c int  | DDL   | ALTER TABLE
      ALTER MATERIALIZED VIEW mv RENAME TO mv2                         | DDL   | ALTER MATERIALIZED VIEW
      CREATE INDEX orders_v_idx ON orders (v)                          | DDL   | CREATE INDEX
      create unique index concurrently i ON t (a)                      | DDL   | CREATE INDEX CONCURRENTLY
      DROP INDEX CONCURRENTLY IF EXISTS i                              | DDL   | DROP INDEX CONCURRENTLY
      CREATE TABLE t (id int)                                          | DDL   | CREATE TABLE
      CREATE OR REPLACE TEMP VIEW v AS SELECT 1                        | DDL   | CREATE VIEW
      DROP TABLE t                                                     | DDL   | DROP TABLE
      REINDEX TABLE CONCURRENTLY t                                     | DDL   | REINDEX TABLE CONCURRENTLY
      REINDEX (VERBOSE, CONCURRENTLY) INDEX i                          | DDL   | REINDEX INDEX CONCURRENTLY
      REINDEX INDEX i                                                  | DDL   | REINDEX INDEX
      VACUUM FULL orders                                               | DDL   | VACUUM FULL
      VACUUM (VERBOSE, FULL) orders                                    | DDL   | VACUUM FULL
      VACUUM (FULL false) orders                                       | OTHER | VACUUM
      VACUUM ANALYZE orders                                            | OTHER | VACUUM
      CLUSTER orders USING orders_pkey                                 | DDL   | CLUSTER
      TRUNCATE orders                                                  | DDL   | TRUNCATE
      LOCK TABLE orders IN ACCESS EXCLUSIVE MODE                       | DDL   | LOCK
      REFRESH MATERIALIZED VIEW CONCURRENTLY mv                        | DDL   | REFRESH MATERIALIZED VIEW CONCURRENTLY
      UPDATE orders SET v = 0                                          | WRITE | UPDATE
      DELETE FROM orders WHERE v < 0                                   | WRITE | DELETE
      INSERT INTO archive (id) SELECT id FROM orders                   | WRITE | INSERT … SELECT
      INSERT INTO t VALUES ((SELECT 1))                                | OTHER | INSERT
      MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE     | WRITE | MERGE
      COPY orders FROM STDIN                                           | WRITE | COPY … FROM
      COPY (SELECT * FROM orders) TO STDOUT                            | OTHER | COPY … TO
      WITH batch AS (SELECT id FROM t LIMIT 10) UPDATE t SET v = 1     | WRITE | UPDATE
      SELECT * FROM orders                                             | OTHER | SELECT
      /* only a comment */                                             | OTHER | ''
      """)
  void classifiesByLeadingKeywords(String sql, Kind kind, String name) {
    Command command = Command.of(sql.replace("\\n", "\n"));
    assertThat(command.kind()).isEqualTo(kind);
    assertThat(command.name()).isEqualTo(name);
  }
}

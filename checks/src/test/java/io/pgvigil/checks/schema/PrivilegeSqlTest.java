package io.pgvigil.checks.schema;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PrivilegeSqlTest {

  @Test
  void identifiersAreQuotedAsQuoteIdentQuotesThem() {
    assertThat(PrivilegeSql.identifier("orders")).isEqualTo("orders");
    assertThat(PrivilegeSql.identifier("a$b")).isEqualTo("\"a$b\"");
    assertThat(PrivilegeSql.identifier("between")).isEqualTo("\"between\"");
    assertThat(PrivilegeSql.identifier("left")).isEqualTo("\"left\"");
    assertThat(PrivilegeSql.identifier("Orders")).isEqualTo("\"Orders\"");
  }
}

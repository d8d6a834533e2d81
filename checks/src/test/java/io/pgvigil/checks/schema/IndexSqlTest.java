package io.pgvigil.checks.schema;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IndexSqlTest {

  @Test
  void aLongIndexNameIsShortenedBeforeTheSuffixSoPostgresDoesNotCutItBackToTheOldName() {
    String longest = "i".repeat(63);
    String temporary = IndexSql.temporaryName(longest);
    assertThat(temporary).hasSize(63).endsWith("_pgvigil_new").isNotEqualTo(longest);
    assertThat(IndexSql.temporaryName("orders_idx")).isEqualTo("orders_idx_pgvigil_new");
  }

  @Test
  void duplicateKeysKeepTheirCollationAndQuotesOfOneKindDoNotEndTheOther() {
    assertThat(IndexSql.keyExpressions("email COLLATE \"case_insensitive\" text_pattern_ops DESC, \"it's\""))
        .containsExactly("email COLLATE \"case_insensitive\"", "\"it's\"");
    assertThat(IndexSql.keyExpressions("(lower(note) || ')'), tenant_id")).containsExactly("(lower(note) || ')')",
        "tenant_id");
  }
}

package io.pgvigil.checks.schema;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CreateSqlTest {

  private static final String HEAD = "CREATE OR REPLACE FUNCTION app.f(";

  @ParameterizedTest(name = "{1} -> {0}: {2}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', emptyValue = "", value = {
      "a integer DEFAULT 1 | a integer DEFAULT 2 | true",
      "a integer DEFAULT 1 | a integer | true",
      "a integer, b text DEFAULT 'x, y' | a integer, b text DEFAULT 'z' | true",
      "a integer | a integer DEFAULT 1 | false",
      "b integer | a integer | false",
      "a integer, c text | a integer, b text | false",
      "\"\" | \"\" | true",
  })
  void createOrReplaceTakesADefaultChangedOrAddedButNotARenameOrARemovedDefault(String expected, String actual,
      boolean replaceable) {
    assertThat(CreateSql.replaceableParameters(HEAD + expected + ")", HEAD + actual + ")")).isEqualTo(replaceable);
  }
}

package io.pgvigil.checks.locks;

import static io.pgvigil.checks.locks.LiteralRedactor.redact;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LiteralRedactorTest {

  @Test
  void replacesStringAndNumericLiterals() {
    assertThat(redact("UPDATE users SET email = 'bob@example.com', score = 4.5e-3 WHERE id = 42"))
        .isEqualTo("UPDATE users SET email = ?, score = ? WHERE id = ?");
  }

  @Test
  void keepsIdentifiersWithDigitsQuotedIdentifiersAndParameters() {
    assertThat(redact("SELECT t1.\"col 1\", $1, x2 FROM t1 WHERE a = $2"))
        .isEqualTo("SELECT t1.\"col 1\", $1, x2 FROM t1 WHERE a = $2");
  }

  @Test
  void understandsDoubledQuotesAndEscapeStrings() {
    assertThat(redact("SELECT 'it''s', E'it\\'s', 'x'")).isEqualTo("SELECT ?, ?, ?");
  }

  @Test
  void redactsDollarQuotedBodiesWholeWithTheirTag() {
    assertThat(redact("DO $body$ BEGIN PERFORM 'x'; END $body$; SELECT $$a'b$$"))
        .isEqualTo("DO ?; SELECT ?");
  }

  @Test
  void keepsCommentsAndDoesNotReadQuotesInsideThem() {
    assertThat(redact("/* it's V7 /* nested 'x' */ */ SELECT 1 -- don't\nFROM t"))
        .isEqualTo("/* it's V7 /* nested 'x' */ */ SELECT ? -- don't\nFROM t");
  }

  @Test
  void redactsPrefixedAndHexLiterals() {
    assertThat(redact("SELECT B'1010', X'ff', U&'d\\0061t', 0x1F, 1_000_000, .5")).isEqualTo("SELECT ?, ?, ?, ?, ?, ?");
  }

  @Test
  void redactsAnUnterminatedLiteralCutAtTwoHundredCharacters() {
    assertThat(redact("INSERT INTO notes VALUES ('a long note that was cut")).isEqualTo("INSERT INTO notes VALUES (?");
  }

  @Test
  void keepsACastAndAPositionalMinus() {
    assertThat(redact("SELECT '5'::int - -3")).isEqualTo("SELECT ?::int - -?");
  }

  @Test
  void passesNullThrough() {
    assertThat(redact(null)).isNull();
  }
}

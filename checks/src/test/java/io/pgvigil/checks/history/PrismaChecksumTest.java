package io.pgvigil.checks.history;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PrismaChecksumTest {

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void isTheLowercaseSha256OfTheFile() {
    assertThat(PrismaChecksum.of(bytes("")))
        .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  }

  @Test
  void matchesAcrossLineEndingConversionsBothWays() {
    String lf = PrismaChecksum.of(bytes("SELECT 1;\nSELECT 2;\n"));
    String crlf = PrismaChecksum.of(bytes("SELECT 1;\r\nSELECT 2;\r\n"));

    assertThat(PrismaChecksum.matches(bytes("SELECT 1;\r\nSELECT 2;\r\n"), lf)).isTrue();
    assertThat(PrismaChecksum.matches(bytes("SELECT 1;\nSELECT 2;\n"), crlf)).isTrue();
    assertThat(PrismaChecksum.matches(bytes("SELECT 1;\nSELECT 3;\n"), lf)).isFalse();
  }

  @Test
  void matchesWhenOnlyAByteOrderMarkWasAddedOrRemoved() {
    String plain = PrismaChecksum.of(bytes("SELECT 1;\n"));
    String withBom = PrismaChecksum.of(bytes("\uFEFFSELECT 1;\n"));

    assertThat(PrismaChecksum.matches(bytes("\uFEFFSELECT 1;\r\n"), plain)).isTrue();
    assertThat(PrismaChecksum.matches(bytes("SELECT 1;\n"), withBom)).isTrue();
  }

  @Test
  void readsTheOldFormatWithoutZeroPadding() {
    byte[] script = bytes("SELECT 1;\n");
    String old = PrismaChecksum.oldFormat(PrismaChecksum.sha256(script));

    assertThat(old).hasSizeLessThan(64);
    assertThat(PrismaChecksum.matches(script, old)).isTrue();
    assertThat(PrismaChecksum.matches(bytes("SELECT 2;\n"), old)).isFalse();
    assertThat(PrismaChecksum.matches(script, null)).isFalse();
  }
}

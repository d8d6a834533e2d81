package io.pgvigil.daemon.drift;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class DriftTextTest {

  private static String fix(String object, String sql) {
    StringWriter text = new StringWriter();
    try (PrintWriter out = new PrintWriter(text)) {
      DriftText.fix(object, sql, out);
    }
    return text.toString();
  }

  @Test
  void printsAOneLineFixBesideItsObject() {
    assertThat(fix("public.orders_idx", "DROP INDEX CONCURRENTLY public.orders_idx;"))
        .isEqualTo("  fix public.orders_idx: DROP INDEX CONCURRENTLY public.orders_idx;" + System.lineSeparator());
  }

  @Test
  void indentsEveryLineOfAMultiLineFixUnderItsObject() {
    String n = System.lineSeparator();
    assertThat(fix("public.v", "CREATE OR REPLACE VIEW public.v AS\n SELECT 1;"))
        .isEqualTo("  fix public.v:" + n + "      CREATE OR REPLACE VIEW public.v AS" + n + "       SELECT 1;" + n);
  }
}

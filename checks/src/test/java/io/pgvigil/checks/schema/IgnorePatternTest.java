package io.pgvigil.checks.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class IgnorePatternTest {

  @Test
  void matchesTheWholeQualifiedNameOfItsKindOnly() {
    IgnorePattern pattern = IgnorePattern.parse("table:billing.tmp_*");

    assertThat(pattern.matches(new ObjectRef(ObjectKind.TABLE, "billing.tmp_import"))).isTrue();
    assertThat(pattern.matches(new ObjectRef(ObjectKind.TABLE, "billing.tmp_"))).isTrue();
    assertThat(pattern.matches(new ObjectRef(ObjectKind.TABLE, "public.tmp_import"))).isFalse();
    assertThat(pattern.matches(new ObjectRef(ObjectKind.TABLE, "billing.orders"))).isFalse();
    assertThat(pattern.matches(new ObjectRef(ObjectKind.INDEX, "billing.tmp_import"))).isFalse();
  }

  @Test
  void treatsQuestionMarkAsOneCharacterAndEverythingElseLiterally() {
    assertThat(IgnorePattern.parse("index:*_old").matches(new ObjectRef(ObjectKind.INDEX, "public.orders_status_old")))
        .isTrue();
    assertThat(IgnorePattern.parse("table:public.t?").matches(new ObjectRef(ObjectKind.TABLE, "public.t1"))).isTrue();
    assertThat(IgnorePattern.parse("table:public.t?").matches(new ObjectRef(ObjectKind.TABLE, "public.t12"))).isFalse();
    assertThat(IgnorePattern.parse("table:public.t.x").matches(new ObjectRef(ObjectKind.TABLE, "public.tax")))
        .isFalse();
    assertThat(IgnorePattern.parse("table:public.a+b").matches(new ObjectRef(ObjectKind.TABLE, "public.a+b"))).isTrue();
  }

  @Test
  void spellsKindsInLowerCaseAsTheConfigurationDoes() {
    assertThat(IgnorePattern.parse("materialized_view:reports.*").kind()).isEqualTo(ObjectKind.MATERIALIZED_VIEW);
    assertThat(IgnorePattern.parse("function:public.audit_*").matches(
        new ObjectRef(ObjectKind.FUNCTION, "public.audit_row(integer, text)"))).isTrue();
    assertThatThrownBy(() -> IgnorePattern.parse("tables:public.x"))
        .hasMessageContaining("unknown object kind 'tables'").hasMessageContaining("materialized_view");
    assertThatThrownBy(() -> IgnorePattern.parse("public.x")).hasMessageContaining("kind:glob");
    assertThatThrownBy(() -> IgnorePattern.parse("table:")).hasMessageContaining("empty glob");
  }

  @Test
  void combinesPatterns() {
    Predicate<ObjectRef> ignored = IgnorePattern.anyOf(
        List.of(IgnorePattern.parse("table:public.tmp_*"), IgnorePattern.parse("index:*_old")));

    assertThat(ignored.test(new ObjectRef(ObjectKind.TABLE, "public.tmp_x"))).isTrue();
    assertThat(ignored.test(new ObjectRef(ObjectKind.INDEX, "public.x_old"))).isTrue();
    assertThat(ignored.test(new ObjectRef(ObjectKind.TABLE, "public.x_old"))).isFalse();
  }

  @Test
  void objectRefsPrintAndParseAsKindAndName() {
    ObjectRef ref = new ObjectRef(ObjectKind.COLUMN, "public.orders.status");

    assertThat(ref).hasToString("column public.orders.status");
    assertThat(ObjectRef.parse(ref.toString())).isEqualTo(ref);
    assertThat(ObjectRef.parse("comment table column public.orders.status"))
        .isEqualTo(new ObjectRef(ObjectKind.COMMENT, "table column public.orders.status"));
  }
}

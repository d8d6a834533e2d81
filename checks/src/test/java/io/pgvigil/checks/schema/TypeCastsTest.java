package io.pgvigil.checks.schema;

import static io.pgvigil.checks.schema.TypeCasts.Kind.FAILS_IF_NOT_FITTING;
import static io.pgvigil.checks.schema.TypeCasts.Kind.MAY_CHANGE_VALUES;
import static io.pgvigil.checks.schema.TypeCasts.Kind.WIDENS;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgvigil.checks.schema.TypeCasts.Kind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TypeCastsTest {

  @ParameterizedTest(name = "{0} -> {1}: {2}")
  @CsvSource(delimiter = '|', value = {
      // true widenings keep every value
      "smallint | integer | WIDENS",
      "integer | bigint | WIDENS",
      "bigint | numeric | WIDENS",
      "integer | numeric(10,0) | WIDENS",
      "integer | numeric(12,2) | WIDENS",
      "real | double precision | WIDENS",
      "smallint | real | WIDENS",
      "integer | double precision | WIDENS",
      "character varying(40) | character varying(80) | WIDENS",
      "character varying(40) | text | WIDENS",
      "character varying(40) | character varying | WIDENS",
      "text | character varying | WIDENS",
      "name | text | WIDENS",
      "numeric(10,2) | numeric(12,4) | WIDENS",
      "numeric(10,2) | numeric | WIDENS",
      "timestamp(3) without time zone | timestamp(6) without time zone | WIDENS",
      "timestamp(3) without time zone | timestamp without time zone | WIDENS",
      "timestamp(3) with time zone | timestamp(5) with time zone | WIDENS",
      "time(0) without time zone | time(3) without time zone | WIDENS",
      "interval(2) | interval | WIDENS",
      "date | timestamp without time zone | WIDENS",
      "bit varying(8) | bit varying(16) | WIDENS",
      "bit(8) | bit varying | WIDENS",
      "integer[] | bigint[] | WIDENS",
      // narrowings that fail on a value that does not fit
      "bigint | integer | FAILS_IF_NOT_FITTING",
      "integer | smallint | FAILS_IF_NOT_FITTING",
      "bigint | numeric(12,2) | FAILS_IF_NOT_FITTING",
      "numeric(10,0) | integer | FAILS_IF_NOT_FITTING",
      "numeric(10,2) | numeric(8,2) | FAILS_IF_NOT_FITTING",
      "numeric(10,2) | numeric(10,3) | FAILS_IF_NOT_FITTING",
      "character varying(80) | character varying(40) | FAILS_IF_NOT_FITTING",
      "text | character varying(40) | FAILS_IF_NOT_FITTING",
      "character(10) | character(5) | FAILS_IF_NOT_FITTING",
      "bit varying(16) | bit varying(8) | FAILS_IF_NOT_FITTING",
      "bit(8) | bit(4) | FAILS_IF_NOT_FITTING",
      // conversions that change values without an error
      "numeric(10,2) | numeric(10,1) | MAY_CHANGE_VALUES",
      "numeric(10,2) | numeric(12,1) | MAY_CHANGE_VALUES",
      "numeric | numeric(12,2) | MAY_CHANGE_VALUES",
      "integer | numeric(5,-2) | MAY_CHANGE_VALUES",
      "timestamp(6) without time zone | timestamp(0) without time zone | MAY_CHANGE_VALUES",
      "timestamp without time zone | timestamp(3) without time zone | MAY_CHANGE_VALUES",
      "time with time zone | time(0) with time zone | MAY_CHANGE_VALUES",
      "interval | interval(0) | MAY_CHANGE_VALUES",
      "numeric(10,2) | integer | MAY_CHANGE_VALUES",
      "numeric | bigint | MAY_CHANGE_VALUES",
      "real | integer | MAY_CHANGE_VALUES",
      "double precision | bigint | MAY_CHANGE_VALUES",
      "bigint | double precision | MAY_CHANGE_VALUES",
      "integer | real | MAY_CHANGE_VALUES",
      "bigint | real | MAY_CHANGE_VALUES",
      "double precision | real | MAY_CHANGE_VALUES",
      "numeric | double precision | MAY_CHANGE_VALUES",
      "numeric(10,2) | real | MAY_CHANGE_VALUES",
      "double precision | numeric | MAY_CHANGE_VALUES",
      "timestamp without time zone | date | MAY_CHANGE_VALUES",
      "timestamp with time zone | date | MAY_CHANGE_VALUES",
      "timestamp with time zone | timestamp without time zone | MAY_CHANGE_VALUES",
      "timestamp without time zone | timestamp with time zone | MAY_CHANGE_VALUES",
      "date | timestamp with time zone | MAY_CHANGE_VALUES",
      "text | name | MAY_CHANGE_VALUES",
      "character varying(100) | name | MAY_CHANGE_VALUES",
      "character(10) | text | MAY_CHANGE_VALUES",
      "character(10) | character varying(10) | MAY_CHANGE_VALUES",
      "character(5) | character(10) | MAY_CHANGE_VALUES",
      "character varying(10) | character(10) | MAY_CHANGE_VALUES",
      "text | character(10) | MAY_CHANGE_VALUES",
      "integer | text | MAY_CHANGE_VALUES",
      "text | integer | MAY_CHANGE_VALUES",
      "integer[] | integer | MAY_CHANGE_VALUES",
      "numeric(10,2)[] | numeric(10,1)[] | MAY_CHANGE_VALUES",
      "time without time zone | time with time zone | MAY_CHANGE_VALUES",
      "jsonb | json | MAY_CHANGE_VALUES",
  })
  void onlyConversionsThatKeepEveryValueOrFailAreSafe(String from, String to, Kind kind) {
    TypeCasts.Conversion conversion = TypeCasts.classify(from, to);
    assertThat(conversion.kind()).isEqualTo(kind);
    if (kind != WIDENS) {
      assertThat(conversion.reason()).as("says why").isNotBlank();
    }
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"character varying(80) | character varying(40)", "numeric(10,2) | integer"})
  void assignmentCastsNeedNoUsing(String from, String to) {
    assertThat(TypeCasts.assignable(from, to)).isTrue();
    assertThat(TypeCasts.classify(from, to).kind()).isIn(FAILS_IF_NOT_FITTING, MAY_CHANGE_VALUES);
  }
}

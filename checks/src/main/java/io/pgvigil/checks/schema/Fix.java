package io.pgvigil.checks.schema;

import java.util.List;
import java.util.Optional;

/** What a finding says to do: statements to run, or why there is no safe automatic fix and the steps by hand. */
record Fix(Optional<String> sql, Optional<String> manual) {

  static Fix sql(String sql) {
    return new Fix(Optional.of(sql), Optional.empty());
  }

  /** The statements one per line group; none is no fix at all, which {@code orElse} completes. */
  static Optional<Fix> of(List<String> statements) {
    return statements.isEmpty() ? Optional.empty() : Optional.of(sql(String.join("\n", statements)));
  }

  static Fix manual(String why) {
    return new Fix(Optional.empty(), Optional.of("no safe automatic fix: " + why));
  }
}

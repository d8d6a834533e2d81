package io.pgvigil.checks.schema;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What a catalog object is. {@link #yamlName()} is the spelling of the configuration's ignore patterns ({@code
 * kind:glob}, e.g. {@code table:billing.tmp_*}).
 */
public enum ObjectKind {
  SCHEMA,
  TABLE,
  COLUMN,
  CONSTRAINT,
  INDEX,
  SEQUENCE,
  VIEW,
  MATERIALIZED_VIEW,
  FUNCTION,
  TRIGGER,
  TYPE,
  EXTENSION,
  POLICY,
  STATISTICS,
  COMMENT,
  GRANT,
  OWNER,
  DEFAULT_PRIVILEGES;

  // Looked up for every row of a snapshot and each of its owners: no lower-casing per call.
  private static final Map<String, ObjectKind> BY_YAML_NAME = Arrays.stream(values())
      .collect(Collectors.toUnmodifiableMap(ObjectKind::yamlName, Function.identity()));

  /** {@code materialized_view} for {@link #MATERIALIZED_VIEW}. */
  public String yamlName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The kind spelled as in the configuration; fails with the list of valid spellings. */
  public static ObjectKind fromYaml(String name) {
    ObjectKind kind = BY_YAML_NAME.get(name);
    if (kind != null) {
      return kind;
    }
    throw new IllegalArgumentException("unknown object kind '" + name + "', expected one of "
        + Arrays.stream(values()).map(ObjectKind::yamlName).collect(Collectors.joining(", ")));
  }
}

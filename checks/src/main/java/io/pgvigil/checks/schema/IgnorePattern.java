package io.pgvigil.checks.schema;

import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * One entry of the configuration's {@code drift.ignore} list, {@code kind:glob}, e.g. {@code table:billing.tmp_*} or
 * {@code index:*_old}. The glob matches the whole {@link ObjectRef#qualifiedName()}: {@code *} any run of characters
 * (dots included), {@code ?} one. Ignoring a table also ignores what hangs off it (columns, indexes, constraints,
 * triggers, policies, owned sequences): the snapshot applies the predicate along each object's owners.
 */
public record IgnorePattern(ObjectKind kind, String glob) {

  public IgnorePattern {
    if (glob == null || glob.isEmpty()) {
      throw new IllegalArgumentException("ignore pattern for " + kind.yamlName() + " has an empty glob");
    }
  }

  /** Parses {@code kind:glob}; the message names the valid kinds when the kind is wrong. */
  public static IgnorePattern parse(String text) {
    int colon = text.indexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException(
          "ignore pattern '" + text + "' must look like kind:glob, e.g. table:public.tmp_*");
    }
    return new IgnorePattern(ObjectKind.fromYaml(text.substring(0, colon).trim()), text.substring(colon + 1).trim());
  }

  /** Matches an object when any of the patterns does. */
  public static Predicate<ObjectRef> anyOf(List<IgnorePattern> patterns) {
    List<IgnorePattern> copy = List.copyOf(patterns);
    return ref -> copy.stream().anyMatch(pattern -> pattern.matches(ref));
  }

  public boolean matches(ObjectRef ref) {
    return ref.kind() == kind && regex().matcher(ref.qualifiedName()).matches();
  }

  private Pattern regex() {
    StringBuilder regex = new StringBuilder();
    for (char c : glob.toCharArray()) {
      if (c == '*') {
        regex.append(".*");
      } else if (c == '?') {
        regex.append('.');
      } else {
        regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(regex.toString(), Pattern.DOTALL);
  }

  @Override
  public String toString() {
    return kind.yamlName() + ":" + glob;
  }
}

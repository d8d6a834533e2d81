package io.pgvigil.daemon.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgvigil.common.SecretValue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * A position in the YAML tree that knows its path ({@code targets[0].watch.interval}) and
 * records problems instead of throwing, so one pass over the file reports every mistake.
 * Absent keys and explicit nulls read as empty; substitution happens on every scalar read.
 */
final class ConfigNode {

  private final JsonNode node;
  private final String path;
  private final String label;
  private final Substitution substitution;
  private final List<ConfigProblem> problems;

  private ConfigNode(JsonNode node, String path, String label, Substitution substitution,
      List<ConfigProblem> problems) {
    this.node = node;
    this.path = path;
    this.label = label;
    this.substitution = substitution;
    this.problems = problems;
  }

  /** Problems about the root itself are reported under {@code sourceName}. */
  static ConfigNode root(JsonNode node, String sourceName, Substitution substitution, List<ConfigProblem> problems) {
    return new ConfigNode(node, "", sourceName, substitution, problems);
  }

  /** A scalar after substitution; {@code display} is what messages may quote. */
  record Scalar(String value, String display) {
  }

  String path() {
    return path.isEmpty() ? label : path;
  }

  boolean isPresent() {
    return node != null && !node.isNull() && !node.isMissingNode();
  }

  boolean emptyList(String howToFix) {
    boolean empty = isPresent() && node.isArray() && node.isEmpty();
    if (empty) {
      problem("is empty; " + howToFix);
    }
    return empty;
  }

  ConfigNode get(String key) {
    return new ConfigNode(node == null ? null : node.get(key),
        path.isEmpty() ? key : path + "." + key, label, substitution, problems);
  }

  void problem(String message) {
    problems.add(new ConfigProblem(path(), message));
  }

  Optional<ConfigNode> required(String howToFix) {
    if (!isPresent()) {
      problem("is required; " + howToFix);
      return Optional.empty();
    }
    return Optional.of(this);
  }

  void notApplicable(String why, String... keys) {
    for (String key : keys) {
      if (get(key).isPresent()) {
        get(key).problem(why);
      }
    }
  }

  /** Whether this is a mapping (unknown keys are reported); false, and reported, when it is not; false when absent. */
  boolean mapping(String noun, List<String> knownKeys) {
    if (!isPresent()) {
      return false;
    }
    if (!node.isObject()) {
      problem("expected a mapping with keys " + String.join(", ", knownKeys) + ", got " + kind());
      return false;
    }
    for (Iterator<String> names = node.fieldNames(); names.hasNext();) {
      String key = names.next();
      if (!knownKeys.contains(key)) {
        String known = "known " + noun + "s are " + String.join(", ", knownKeys);
        String message = closest(key, knownKeys)
            .map(s -> "unknown " + noun + "; did you mean '" + s + "'? (" + known + ")")
            .orElse("unknown " + noun + "; " + known);
        get(key).problem(message);
      }
    }
    return true;
  }

  /** Whether this is present and a mapping (of any keys); nothing is reported. */
  boolean isMapping() {
    return isPresent() && node.isObject();
  }

  /** The keys of a mapping, in the order written; empty when this is not one. */
  List<String> keys() {
    List<String> keys = new ArrayList<>();
    if (isPresent() && node.isObject()) {
      node.fieldNames().forEachRemaining(keys::add);
    }
    return keys;
  }

  boolean mapping(String... knownKeys) {
    return mapping("key", List.of(knownKeys));
  }

  /** A list element that must be a mapping: reports {@code ifEmpty} when it is null. */
  boolean element(String ifEmpty, List<String> knownKeys) {
    if (!isPresent()) {
      problem("is empty; " + ifEmpty);
      return false;
    }
    return mapping("key", knownKeys);
  }

  List<ConfigNode> list(String example) {
    if (!isPresent()) {
      return List.of();
    }
    if (!node.isArray()) {
      problem("expected a list such as " + example + ", got " + kind());
      return List.of();
    }
    return IntStream.range(0, node.size())
        .mapToObj(i -> new ConfigNode(node.get(i), path + "[" + i + "]", label, substitution,
            problems))
        .toList();
  }

  /** A scalar, substituted. {@code expected} completes "expected …", e.g. "a duration such as 1s". */
  Optional<Scalar> scalar(String expected) {
    if (!isPresent()) {
      return Optional.empty();
    }
    if (!node.isValueNode()) {
      problem("expected " + expected + ", got " + kind());
      return Optional.empty();
    }
    String raw = node.asText();
    try {
      return Optional.of(new Scalar(substitution.expand(raw), raw));
    } catch (Substitution.SubstitutionException e) {
      problem(e.getMessage());
      return Optional.empty();
    }
  }

  Optional<String> text(String expected) {
    return scalar(expected).map(Scalar::value);
  }

  /** A non-empty secret; its value never appears in a problem. */
  Optional<SecretValue> secret(String expected) {
    Optional<Scalar> scalar = scalar(expected);
    if (scalar.isPresent() && scalar.get().value().isEmpty()) {
      problem("is empty; set a value or remove the key");
      return Optional.empty();
    }
    return scalar.map(s -> SecretValue.of(s.value()));
  }

  /** Zero allowed (for {@code for:}). */
  Optional<Duration> duration() {
    Optional<Scalar> scalar = scalar("a duration such as 1s");
    try {
      return scalar.map(s -> Durations.parse(s.value()));
    } catch (Durations.InvalidDurationException e) {
      problem("'" + scalar.get().display() + "' " + e.reason());
      return Optional.empty();
    }
  }

  Optional<Duration> positiveDuration() {
    Optional<Duration> duration = duration();
    if (duration.isPresent() && duration.get().isZero()) {
      problem("'" + node.asText() + "' must be a positive duration such as 1s");
      return Optional.empty();
    }
    return duration;
  }

  /** At most {@code max}: for values that end up in a 32-bit millisecond field, which would overflow. */
  Optional<Duration> positiveDurationAtMost(Duration max, String why) {
    Optional<Duration> duration = positiveDuration();
    if (duration.isPresent() && duration.get().compareTo(max) > 0) {
      problem("'" + node.asText() + "' is too long; at most " + Durations.format(max) + " (" + why + ")");
      return Optional.empty();
    }
    return duration;
  }

  Optional<Integer> positiveInteger() {
    return parsed("a whole number such as 5", text -> {
      try {
        return Optional.of(Integer.parseInt(text.trim())).filter(n -> n > 0);
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
    }, "must be a positive whole number such as 5");
  }

  /** Such as {@code 512MB} or {@code 1GiB}; a bare number is bytes. */
  Optional<Long> positiveBytes() {
    return parsed("a size such as 512MB", text -> Unit.parseBytes(text).filter(n -> n > 0),
        "must be a positive size such as 512MB or 1GiB");
  }

  private <T> Optional<T> parsed(String expected, Function<String, Optional<T>> parse, String why) {
    Optional<Scalar> scalar = scalar(expected);
    Optional<T> value = scalar.flatMap(s -> parse.apply(s.value()));
    if (scalar.isPresent() && value.isEmpty()) {
      problem("'" + scalar.get().display() + "' " + why);
    }
    return value;
  }

  Optional<Boolean> bool() {
    return oneOf(List.of("true", "false")).map(Boolean::parseBoolean);
  }

  <E extends Enum<E>> Optional<E> oneOf(Class<E> type) {
    List<E> constants = List.of(type.getEnumConstants());
    List<String> spellings = constants.stream().map(ConfigNode::spelling).toList();
    return oneOf(spellings).map(s -> constants.get(spellings.indexOf(s)));
  }

  /** How the config writes an enum constant: {@code DRY_RUN} as {@code dry-run}. */
  static String spelling(Enum<?> constant) {
    return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** One of a fixed set of spellings, with a suggestion for near misses. */
  Optional<String> oneOf(List<String> allowed) {
    Optional<Scalar> scalar = scalar("one of " + String.join(", ", allowed));
    if (scalar.isEmpty() || allowed.contains(scalar.get().value())) {
      return scalar.map(Scalar::value);
    }
    String message = "'" + scalar.get().display() + "' is not one of " + String.join(", ", allowed);
    problem(message + closest(scalar.get().value(), allowed).map(s -> "; did you mean '" + s + "'?").orElse(""));
    return Optional.empty();
  }

  List<String> stringList(String example) {
    return list(example).stream().flatMap(element -> element.text("a string").filter(value -> {
      if (value.isBlank()) {
        element.problem("is empty; remove it or give a value");
      }
      return !value.isBlank();
    }).stream()).toList();
  }

  private String kind() {
    return switch (node.getNodeType()) {
      case ARRAY -> "a list";
      case OBJECT -> "a mapping";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      default -> "a string";
    };
  }

  /** The known word within edit distance 2 (ignoring case) of a typo, if any. */
  static Optional<String> closest(String typo, List<String> known) {
    return known.stream()
        .filter(k -> distance(typo.toLowerCase(), k.toLowerCase()) <= 2)
        .min(Comparator.comparingInt(k -> distance(typo.toLowerCase(), k.toLowerCase())));
  }

  private static int distance(String a, String b) {
    int[] previous = IntStream.rangeClosed(0, b.length()).toArray();
    for (int i = 1; i <= a.length(); i++) {
      int[] current = new int[b.length() + 1];
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        current[j] = Math.min(previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1),
            Math.min(previous[j], current[j - 1]) + 1);
      }
      previous = current;
    }
    return previous[b.length()];
  }
}

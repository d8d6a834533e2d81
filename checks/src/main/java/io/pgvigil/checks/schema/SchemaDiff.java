package io.pgvigil.checks.schema;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Compares the expected schema (the migration history replayed into a shadow database) with the
 * live one: one {@link SchemaFinding} per differing object, not per attribute, sorted by object.
 *
 * <p>What is reported once, not again for each part:
 * <ul>
 *   <li>a missing or unexpected object hides what it owns (a table's columns, indexes,
 *       constraints, triggers, policies and owned sequences; a schema's objects);</li>
 *   <li>an index that backs a constraint is reported through the constraint: any finding on the
 *       constraint hides the index's;</li>
 *   <li>copies PostgreSQL makes on partitions (attached indexes, cloned constraints and triggers,
 *       inherited columns) are hidden by any finding on what they copy.</li>
 * </ul>
 * Both snapshots must come from the same PostgreSQL major: deparsed texts differ between majors.
 */
public final class SchemaDiff {

  private static final int SHORT_VALUE = 200;

  private final FixStyle style;

  /** Suggests statements to run on the live database ({@link FixStyle#LIVE}). */
  public SchemaDiff() {
    this(FixStyle.LIVE);
  }

  public SchemaDiff(FixStyle style) {
    this.style = style;
  }

  public List<SchemaFinding> compare(SchemaSnapshot expected, SchemaSnapshot actual) {
    if (expected.major() != actual.major()) {
      throw new IllegalArgumentException("cannot compare snapshots of PostgreSQL " + expected.major() + " and "
          + actual.major() + ": deparsed definitions differ between majors; replay into a shadow of the live major");
    }
    SortedSet<ObjectRef> refs = new TreeSet<>(expected.objects().keySet());
    refs.addAll(actual.objects().keySet());
    SortedMap<ObjectRef, SchemaFinding> all = new TreeMap<>();
    FixContext context = new FixContext(style, expected, actual);
    for (ObjectRef ref : refs) {
      compare(ref, expected.objects().get(ref), actual.objects().get(ref), context)
          .ifPresent(finding -> all.put(ref, finding));
    }
    List<SchemaFinding> findings = new ArrayList<>();
    for (SchemaFinding finding : all.values()) {
      CatalogObject object = expected.get(finding.object()).orElseGet(() -> actual.objects().get(finding.object()));
      if (!hidden(object, all, expected, actual, new HashSet<>())) {
        findings.add(finding);
      }
    }
    return findings;
  }

  private static Optional<SchemaFinding> compare(ObjectRef ref, CatalogObject expected, CatalogObject actual,
      FixContext context) {
    Change change;
    Set<String> changed = new TreeSet<>();
    String detail;
    if (actual == null) {
      change = Change.MISSING;
      detail = "expected, not in the live database";
    } else if (expected == null) {
      change = Change.UNEXPECTED;
      detail = "in the live database, not in the migration history";
    } else if (expected.attributes().equals(actual.attributes())) {
      return Optional.empty();
    } else {
      change = Change.CHANGED;
      changed.addAll(expected.attributes().keySet());
      changed.addAll(actual.attributes().keySet());
      changed.removeIf(name -> Objects.equals(expected.attribute(name), actual.attribute(name)));
      detail = changed.stream()
          .map(name -> describe(ref.kind(), name, expected.attribute(name), actual.attribute(name)))
          .collect(Collectors.joining("; "));
    }
    Severity severity = FindingSeverity.of(ref.kind(), change, expected, actual, changed);
    Fix fix = SuggestedSql.of(ref, change, expected, actual, changed, context);
    return Optional.of(new SchemaFinding(ref, change, severity, render(expected), render(actual), detail, fix.sql(),
        fix.manual()));
  }

  /** Whether a finding on something the object hangs off already tells about this one. */
  private static boolean hidden(CatalogObject object, Map<ObjectRef, SchemaFinding> findings, SchemaSnapshot expected,
      SchemaSnapshot actual, Set<ObjectRef> seen) {
    if (!seen.add(object.ref())) {
      return false;
    }
    for (ObjectRef owner : object.owners()) {
      SchemaFinding finding = findings.get(owner);
      boolean copy = owner.kind() == object.ref().kind()
          || object.ref().kind() == ObjectKind.INDEX && owner.kind() == ObjectKind.CONSTRAINT;
      if (finding != null && (finding.change() != Change.CHANGED || copy)) {
        return true;
      }
      Optional<CatalogObject> ownerObject = expected.get(owner).or(() -> actual.get(owner));
      if (ownerObject.isPresent() && hidden(ownerObject.get(), findings, expected, actual, seen)) {
        return true;
      }
    }
    return false;
  }

  private static String describe(ObjectKind kind, String name, String expected, String actual) {
    if (kind == ObjectKind.TRIGGER && name.equals("enabled")) {
      // pg_trigger.tgenabled's words (origin, replica, always) in the user's: ALTER TABLE's.
      return "trigger " + firing(actual) + " (expected " + firing(expected) + ")";
    }
    String flag = flag(name, expected, actual);
    if (flag != null) {
      return flag;
    }
    if (name.equals("statistics_target")) {
      return "statistics target: " + (expected == null ? "default" : expected) + " → "
          + (actual == null ? "default" : actual);
    }
    if (isLong(expected) || isLong(actual)) {
      return name + " changed";
    }
    return name + ": " + show(expected) + " → " + show(actual);
  }

  /** The yes/no attributes in SQL's words: {@code nullable (expected NOT NULL)}, not {@code not_null: true → false}. */
  private static String flag(String name, String expected, String actual) {
    boolean now = "true".equals(actual);
    return switch (name) {
      case "not_null" -> now ? "NOT NULL (expected nullable)" : "nullable (expected NOT NULL)";
      case "valid" -> now ? "valid (expected INVALID)" : "INVALID (expected valid)";
      case "validated" -> now ? "validated (expected NOT VALID)" : "NOT VALID (expected validated)";
      case "rls_enabled" -> now ? "row level security enabled (expected disabled)"
          : "row level security disabled (expected enabled)";
      case "rls_forced" -> now ? "row level security forced (expected not forced)"
          : "row level security not forced (expected forced)";
      case "security_definer" -> now ? "SECURITY DEFINER (expected SECURITY INVOKER)"
          : "SECURITY INVOKER (expected SECURITY DEFINER)";
      default -> null;
    };
  }

  private static String firing(String enabled) {
    return switch (String.valueOf(enabled)) {
      case "origin" -> "enabled";
      case "disabled" -> "disabled";
      case "replica" -> "enabled on replicas only (ENABLE REPLICA)";
      case "always" -> "enabled always, on replicas too (ENABLE ALWAYS)";
      default -> show(enabled);
    };
  }

  private static boolean isLong(String value) {
    return value != null && (value.length() > SHORT_VALUE || value.indexOf('\n') >= 0);
  }

  private static String show(String value) {
    return value == null ? "(none)" : value;
  }

  private static String render(CatalogObject object) {
    if (object == null) {
      return null;
    }
    return object.attributes().entrySet().stream().map(attribute -> attribute.getKey() + ": " + attribute.getValue())
        .collect(Collectors.joining("\n"));
  }
}

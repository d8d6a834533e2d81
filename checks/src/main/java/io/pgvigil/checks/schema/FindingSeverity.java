package io.pgvigil.checks.schema;

import java.util.Arrays;
import java.util.Set;

/**
 * Which severity a finding gets. One finding covers one object; when several attributes changed,
 * the most severe one decides.
 *
 * <pre>
 * kind               MISSING / UNEXPECTED          CHANGED
 * schema, table      INTEGRITY                     rls_enabled, rls_forced: SECURITY;
 *                                                  options (storage parameters) only: PERFORMANCE;
 *                                                  else (partitioning, unlogged, replica identity) INTEGRITY
 * column             INTEGRITY                     statistics_target only: PERFORMANCE;
 *                                                  else INTEGRITY (type, NOT NULL, default: a default is data
 *                                                  written into every new row, so it is not cosmetic)
 * constraint         INTEGRITY                     INTEGRITY (definition, FK actions, NOT VALID)
 * index              unique: INTEGRITY             unique: INTEGRITY (definition, INVALID)
 *                    else PERFORMANCE              else PERFORMANCE
 * sequence           INTEGRITY                     INTEGRITY
 * view               INTEGRITY                     security_barrier, security_invoker: SECURITY;
 *                                                  else INTEGRITY
 * materialized_view  INTEGRITY                     INTEGRITY
 * function           SECURITY DEFINER: SECURITY    security_definer, leakproof, config: SECURITY;
 *                    else INTEGRITY                else INTEGRITY
 * trigger, type      INTEGRITY                     INTEGRITY (a disabled trigger stops auditing or checks)
 * extension          INTEGRITY                     INTEGRITY (version)
 * policy, grant,     SECURITY                      SECURITY
 * owner,
 * default_privileges
 * statistics         PERFORMANCE                   PERFORMANCE (extended statistics, CREATE STATISTICS)
 * comment            COSMETIC                      COSMETIC
 * </pre>
 */
final class FindingSeverity {

  private FindingSeverity() {}

  static Severity of(ObjectKind kind, Change change, CatalogObject expected, CatalogObject actual,
      Set<String> changed) {
    return switch (kind) {
      case POLICY, GRANT, OWNER, DEFAULT_PRIVILEGES -> Severity.SECURITY;
      case COLUMN -> change == Change.CHANGED && changed.equals(Set.of("statistics_target")) ? Severity.PERFORMANCE
          : Severity.INTEGRITY;
      case COMMENT -> Severity.COSMETIC;
      case STATISTICS -> Severity.PERFORMANCE;
      case TABLE -> {
        if (changed.contains("rls_enabled") || changed.contains("rls_forced")) {
          yield Severity.SECURITY;
        }
        yield change == Change.CHANGED && changed.equals(Set.of("options")) ? Severity.PERFORMANCE
            : Severity.INTEGRITY;
      }
      case VIEW -> changed.contains("options") && securityOptions(expected, actual) ? Severity.SECURITY
          : Severity.INTEGRITY;
      case FUNCTION -> {
        if (change == Change.UNEXPECTED) {
          yield "true".equals(actual.attribute("security_definer")) ? Severity.SECURITY : Severity.INTEGRITY;
        }
        yield changed.contains("security_definer") || changed.contains("leakproof") || changed.contains("config")
            ? Severity.SECURITY : Severity.INTEGRITY;
      }
      // A unique index is a constraint on the data: missing, extra, changed or INVALID (a failed CREATE UNIQUE INDEX
      // CONCURRENTLY), what it guards is no longer guarded as the history says.
      case INDEX -> expected != null && IndexSql.unique(expected) || actual != null && IndexSql.unique(actual)
          ? Severity.INTEGRITY : Severity.PERFORMANCE;
      default -> Severity.INTEGRITY;
    };
  }

  /** Whether a view's options differ in security_barrier or security_invoker (not only check_option). */
  private static boolean securityOptions(CatalogObject expected, CatalogObject actual) {
    return !security(expected.attribute("options")).equals(security(actual.attribute("options")));
  }

  private static String security(String options) {
    return options == null ? "" : Arrays.stream(options.split(", "))
        .filter(o -> o.startsWith("security_")).sorted().toList().toString();
  }
}

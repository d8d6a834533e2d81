package io.pgvigil.checks.schema;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Predicate;

/**
 * One batched {@code pg_catalog} query per area of the catalog; the SQL sits beside this class as {@code <area>.sql}
 * and explains what it leaves out and why. Those that name roles (grants, owners, default privileges) take the
 * {@link SnapshotOptions#roleMap() role map} as their one parameter and apply it in SQL. Every query returns the same columns ({@code kind, name, owners, sql_name,
 * attrs}), so one mapper reads them all.
 */
enum CatalogArea {
  SCHEMAS("schemas.sql", options -> true),
  RELATIONS("relations.sql", options -> true),
  COLUMNS("columns.sql", options -> true),
  CONSTRAINTS("constraints.sql", options -> true),
  INDEXES("indexes.sql", options -> true),
  ROUTINES("routines.sql", options -> true),
  TRIGGERS("triggers.sql", options -> true),
  TYPES("types.sql", options -> true),
  EXTENSIONS("extensions.sql", options -> true),
  POLICIES("policies.sql", options -> true),
  STATISTICS("statistics.sql", options -> options.compares(ComparedKind.STATISTICS)),
  COMMENTS("comments.sql", options -> options.compares(ComparedKind.COMMENTS)),
  GRANTS("grants.sql", options -> options.compares(ComparedKind.GRANTS), true),
  OWNERS("owners.sql", options -> options.compares(ComparedKind.OWNERS), true),
  DEFAULT_PRIVILEGES("default_privileges.sql", options -> options.compares(ComparedKind.DEFAULT_PRIVILEGES), true);

  /**
   * The oldest server pgvigil supports; the snapshot refuses older ones rather than return an empty (and so drift-free)
   * schema. The queries use conparentid (12), tgparentid (13), attgenerated (12) and relam (12); a NOT VALID NOT NULL
   * (contype 'n', 18) and a virtual generated column (attgenerated 'v', 18) are read where they exist and simply not
   * found before, so no area needs a newer major today. One that does gets its own minimum, and is skipped, not failed,
   * on older servers.
   */
  static final int MIN_VERSION_NUM = 140_000;

  private final String sql;
  private final Predicate<SnapshotOptions> enabled;
  private final boolean namesRoles;

  CatalogArea(String resource, Predicate<SnapshotOptions> enabled) {
    this(resource, enabled, false);
  }

  CatalogArea(String resource, Predicate<SnapshotOptions> enabled, boolean namesRoles) {
    this.sql = load(resource);
    this.enabled = enabled;
    this.namesRoles = namesRoles;
  }

  /** Whether the query names roles, and so takes the role map as {@code $1} (JSON text). */
  boolean namesRoles() {
    return namesRoles;
  }

  String sql() {
    return sql;
  }

  boolean enabled(SnapshotOptions options) {
    return enabled.test(options);
  }

  private static String load(String resource) {
    try (InputStream in = CatalogArea.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + resource + " beside " + CatalogArea.class.getName());
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

package io.pgvigil.checks.schema;

import java.util.Objects;

/**
 * The stable identity of a catalog object: never an OID, so the same object replayed into another
 * database or server has the same reference. Names are the catalog's, unquoted, joined with dots:
 * <ul>
 *   <li>{@code schema public}, {@code extension citext}</li>
 *   <li>{@code table public.orders}, {@code index public.orders_pkey}, {@code sequence public.orders_id_seq},
 *       {@code view public.v}, {@code type public.mood}</li>
 *   <li>{@code column public.orders.status}, {@code constraint public.orders.orders_customer_id_fkey},
 *       {@code trigger public.orders.audit}, {@code policy public.orders.tenant_isolation}</li>
 *   <li>{@code function public.total(integer, text)}: argument types (no parameter names), as overloads are
 *       distinct objects</li>
 *   <li>{@code comment table public.orders}, {@code grant table public.orders to reporting}, {@code owner table
 *       public.orders}: the kind and name of what they are on (comments use {@code pg_identify_object}'s type and
 *       identity); grantees and owners as the live database names them (the role map applied to the shadow's)</li>
 *   <li>{@code default_privileges tables for role app_owner in schema app to reporting}</li>
 * </ul>
 */
public record ObjectRef(ObjectKind kind, String qualifiedName) implements Comparable<ObjectRef> {

  public ObjectRef {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(qualifiedName, "qualifiedName");
  }

  /** Parses {@link #toString()}'s form, {@code "table public.orders"}. */
  public static ObjectRef parse(String text) {
    int space = text.indexOf(' ');
    if (space <= 0) {
      throw new IllegalArgumentException("expected '<kind> <name>' but was '" + text + "'");
    }
    return new ObjectRef(ObjectKind.fromYaml(text.substring(0, space)), text.substring(space + 1));
  }

  @Override
  public int compareTo(ObjectRef other) {
    // By kind, then by name; spelled out rather than a Comparator chain: a snapshot's sorted map of 160,000 objects
    // makes millions of these calls.
    int byKind = kind.compareTo(other.kind);
    return byKind != 0 ? byKind : qualifiedName.compareTo(other.qualifiedName);
  }

  @Override
  public String toString() {
    return kind.yamlName() + " " + qualifiedName;
  }
}

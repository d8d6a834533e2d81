package io.pgvigil.daemon.config;

import io.pgvigil.checks.schema.ComparedKind;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The {@code drift.compare} and {@code drift.roleMap} keys, apart from TargetReader so that it stays small. */
final class DriftReading {

  private DriftReading() {}

  /** The kinds listed, exactly (an empty list compares the structure only); the defaults when left out. */
  static Set<ComparedKind> compare(ConfigNode compare) {
    if (!compare.isPresent()) {
      return ComparedKind.defaults();
    }
    List<String> allowed = ComparedKind.configNames();
    Set<ComparedKind> kinds = EnumSet.noneOf(ComparedKind.class);
    for (ConfigNode element : compare.list("[comments, statistics, grants]")) {
      element.oneOf(allowed).flatMap(ComparedKind::fromConfig).ifPresent(kinds::add);
    }
    return kinds;
  }

  /** Shadow role → live role, each name non-empty. */
  static Map<String, String> roleMap(ConfigNode roleMap) {
    Map<String, String> map = new LinkedHashMap<>();
    if (!roleMap.isPresent()) {
      return map;
    }
    if (!roleMap.isMapping()) {
      roleMap.problem("expected a mapping of shadow role to live role such as { postgres: app_owner }");
      return map;
    }
    for (String shadowRole : roleMap.keys()) {
      ConfigNode liveRole = roleMap.get(shadowRole);
      if (shadowRole.isBlank()) {
        liveRole.problem("has an empty shadow role name; write { shadow_role: live_role }");
        continue;
      }
      liveRole.text("a live role name such as app_owner").ifPresent(live -> {
        if (live.isBlank()) {
          liveRole.problem("is empty; give the live role that " + shadowRole + " stands for");
        } else {
          map.put(shadowRole, live);
        }
      });
    }
    return map;
  }
}

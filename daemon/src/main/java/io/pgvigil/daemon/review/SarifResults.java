package io.pgvigil.daemon.review;

import io.pgvigil.checks.review.Finding;
import io.pgvigil.checks.review.MigrationReview;
import io.pgvigil.checks.review.StatementRun;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A target's findings as SARIF 2.1.0 results: at the migration file relative to {@code %SRCROOT%} (the working
 * directory, as {@code originalUriBaseIds} says: SARIF 2.1.0, 3.14.14) and the line its statement starts on, with a
 * {@code partialFingerprints} entry (3.27.17) that stays the same when the statement moves to another line or the
 * live sizes change its message, and an in-source suppression (3.35) for a finding the file accepts.
 */
final class SarifResults {

  static final String SRCROOT = "%SRCROOT%";
  /** Bumped if what goes into the fingerprint changes: a new key, not a new value under an old one. */
  static final String FINGERPRINT = "pgvigil/v1";

  private SarifResults() {}

  static List<JsonObject> of(TargetReview review) {
    List<JsonObject> results = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    for (MigrationReview m : review.migrations()) {
      for (Finding f : m.findings()) {
        String command = m.statements().stream().filter(s -> s.number() == f.statement())
            .map(StatementRun::command).findFirst().orElse("");
        String key = String.join("\u0000", review.target(), f.hazard().id(), f.file(), String.valueOf(f.object()),
            command);
        int occurrence = seen.merge(key, 1, Integer::sum);
        results.add(result(f, sha256(key + "\u0000" + occurrence)));
      }
    }
    return results;
  }

  /**
   * What the results cannot show, as tool execution notifications (3.58): each live data question not checked
   * (level warning, at its statement: neither a pass nor a failure), and offline what was skipped (warning) and
   * noticed in the files (note).
   */
  static List<JsonObject> notifications(TargetReview review) {
    List<JsonObject> notifications = new ArrayList<>();
    review.live().ifPresent(live -> live.probes().stream()
        .filter(p -> p.outcome() == LiveReport.Outcome.NOT_CHECKED).forEach(p -> {
          JsonObject physical = new JsonObject().put("artifactLocation", artifact(p.question().file()));
          if (p.question().line() > 0) {
            physical.put("region", new JsonObject().put("startLine", p.question().line()));
          }
          notifications.add(notification("warning", review.target() + ": " + notChecked(p))
              .put("locations", new JsonArray().add(new JsonObject().put("physicalLocation", physical))));
        }));
    review.offline().ifPresent(o -> {
      notifications.add(notification("warning", review.target() + ": skipped (offline): "
          + String.join(", ", OfflineReport.SKIPPED)));
      o.notes().forEach(n -> notifications.add(notification("note", review.target() + ": " + n)));
    });
    return notifications;
  }

  /** For people: {@code any duplicate of (email) in public.users? not checked: ...}. */
  static String notChecked(LiveReport.Probe probe) {
    return probe.question().question() + " " + probe.detail();
  }

  private static JsonObject notification(String level, String text) {
    return new JsonObject().put("level", level).put("message", new JsonObject().put("text", text));
  }

  /** The working directory, which the files' relative URIs start from. */
  static JsonObject uriBaseIds() {
    String root = Path.of("").toAbsolutePath().normalize().toUri().toString();
    return new JsonObject().put(SRCROOT, new JsonObject().put("uri", root.endsWith("/") ? root : root + "/"));
  }

  private static JsonObject result(Finding f, String fingerprint) {
    JsonObject physical = new JsonObject().put("artifactLocation", artifact(f.file()));
    if (f.line() > 0) {
      physical.put("region", new JsonObject().put("startLine", f.line()));
    }
    String text = f.message() + (f.object() == null ? "" : " [" + f.object() + "]") + ". Fix: " + f.fix();
    JsonObject result = new JsonObject().put("ruleId", f.hazard().id()).put("ruleIndex", f.hazard().ordinal())
        .put("level", ReviewJson.level(f.level())).put("message", new JsonObject().put("text", text))
        .put("locations", new JsonArray().add(new JsonObject().put("physicalLocation", physical)))
        .put("partialFingerprints", new JsonObject().put(FINGERPRINT, fingerprint));
    if (f.suppressed()) {
      result.put("suppressions", new JsonArray().add(new JsonObject().put("kind", "inSource")
          .put("justification", f.suppression())));
    }
    return result;
  }

  /** Files below the working directory are shown relative to it; others absolutely, as file URIs of their own. */
  private static JsonObject artifact(String file) {
    Path path = Path.of(file);
    if (path.isAbsolute()) {
      return new JsonObject().put("uri", path.toUri().toString());
    }
    try {
      return new JsonObject().put("uri", new URI(null, null, file, null).toASCIIString()).put("uriBaseId", SRCROOT);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a relative path: " + file, e);
    }
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(
          StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }
}

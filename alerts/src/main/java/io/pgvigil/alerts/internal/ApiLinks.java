package io.pgvigil.alerts.internal;

import io.pgvigil.alerts.Alert;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Links from a message back to pgvigil: the status page's view of the alert's target (what a person opens from Slack
 * or PagerDuty) and the API document behind it (for a script); none when no base URL is configured. The page's
 * routes are {@code /#/targets/{name}/{view}} (README, "Status page").
 */
public record ApiLinks(String baseUrl) {

  /** The status page's views, each with the API document it shows. */
  private enum View {
    LOCKS("locks", "/locks"), REPLICATION("replication", "/replication"), DRIFT("drift", "/drift"),
    WINDOWS("windows", null), STATUS("status", "");

    final String page;
    /** Below {@code /api/v1/targets/{name}}; null: {@code /api/v1/aborts}. */
    final String json;

    View(String page, String json) {
      this.page = page;
      this.json = json;
    }
  }

  public ApiLinks {
    baseUrl = baseUrl == null || baseUrl.isBlank() ? null
        : baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
  }

  public boolean enabled() {
    return baseUrl != null;
  }

  /** The status page's view that shows the condition: locks, replication, drift or the kill switch of the target. */
  public String forAlert(Alert a) {
    View view = view(a);
    return baseUrl + "/#/targets/" + segment(a.target()) + (view == View.STATUS ? "" : "/" + view.page);
  }

  /** The API document behind {@link #forAlert}. */
  public String jsonForAlert(Alert a) {
    View view = view(a);
    return view.json == null ? baseUrl + "/api/v1/aborts"
        : baseUrl + "/api/v1/targets/" + segment(a.target()) + view.json;
  }

  /** The status page's list of firing and resolved alerts. */
  public String alerts() {
    return baseUrl + "/#/alerts";
  }

  private static View view(Alert a) {
    String rule = a.rule().toLowerCase(Locale.ROOT);
    if (rule.contains("kill")) {
      return View.WINDOWS;
    }
    if (rule.contains("lock") || rule.contains("ddl") || rule.contains("idle") || rule.contains("write")
        || rule.contains("index")) {
      return View.LOCKS;
    }
    if (rule.contains("replication") || rule.contains("lag") || rule.contains("slot") || rule.contains("standby")) {
      return View.REPLICATION;
    }
    if (rule.contains("drift") || rule.contains("migration")) {
      return View.DRIFT;
    }
    return View.STATUS;
  }

  /** A path segment: URLEncoder writes a space as '+', which a path (and the page's router) reads as a plus. */
  private static String segment(String name) {
    return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
  }
}

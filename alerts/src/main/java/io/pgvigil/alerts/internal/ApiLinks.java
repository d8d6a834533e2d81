package io.pgvigil.alerts.internal;

import io.pgvigil.alerts.Alert;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Links from a message back to pgvigil's HTTP API; none when no base URL is configured. */
public record ApiLinks(String baseUrl) {

  public ApiLinks {
    baseUrl = baseUrl == null || baseUrl.isBlank() ? null
        : baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
  }

  public boolean enabled() {
    return baseUrl != null;
  }

  /** The endpoint that shows the condition: locks, replication or drift of the target. */
  public String forAlert(Alert a) {
    String rule = a.rule().toLowerCase(Locale.ROOT);
    String target = baseUrl + "/api/v1/targets/" + URLEncoder.encode(a.target(), StandardCharsets.UTF_8);
    if (rule.contains("lock") || rule.contains("ddl") || rule.contains("idle")) {
      return target + "/locks";
    }
    if (rule.contains("replication") || rule.contains("lag") || rule.contains("slot")) {
      return target + "/replication";
    }
    if (rule.contains("drift") || rule.contains("migration")) {
      return target + "/drift";
    }
    return target;
  }

  public String alerts() {
    return baseUrl + "/api/v1/alerts";
  }
}

package io.pgvigil.alerts;

import io.pgvigil.alerts.internal.ApiLinks;
import io.pgvigil.common.SecretValue;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Slack incoming webhook, posting a Block Kit message. Slack allows about one message per second per webhook and
 * answers 429 beyond (api.slack.com/apis/rate-limits, "Incoming webhooks"), so this sink sends at most one per second
 * and coalesces what queued meanwhile into one message of up to {@link #MAX_ALERTS} alerts, within Block Kit's 50-block
 * limit (api.slack.com/reference/block-kit/blocks).
 */
public final class SlackSink extends HttpSink {

  public static final RateLimit RATE_LIMIT = new RateLimit(1, Duration.ofSeconds(1));
  static final int MAX_ALERTS = 10;
  private static final int MAX_CENSUS = 10;

  private final SecretValue webhookUrl;
  private final ApiLinks links;

  public SlackSink(String name, WebClient client, Clock clock, SecretValue webhookUrl,
      String apiBaseUrl, Duration timeout) {
    super(name, true, MAX_ALERTS, RATE_LIMIT, client, clock, timeout, webhookUrl);
    this.webhookUrl = webhookUrl;
    this.links = new ApiLinks(apiBaseUrl);
  }

  @Override
  public Future<Void> send(List<Notification> batch) {
    return post(webhookUrl.reveal(), Map.of(), message(batch).toBuffer());
  }

  JsonObject message(List<Notification> batch) {
    List<Alert> alerts = new ArrayList<>();
    batch.forEach(n -> alerts.addAll(n.alerts()));
    List<Alert> shown = alerts.subList(0, Math.min(MAX_ALERTS, alerts.size()));
    long firing = alerts.stream().filter(Alert::isFiring).count();
    String title = alerts.size() == 1
        ? (alerts.get(0).isFiring() ? "Firing: " : "Resolved: ") + alerts.get(0).rule() + " on "
            + alerts.get(0).target()
        : "pgvigil: " + firing + " firing, " + (alerts.size() - firing) + " resolved";
    JsonArray blocks = new JsonArray().add(new JsonObject().put("type", "header")
        .put("text", plain(title.length() > 150 ? title.substring(0, 149) + "…" : title)));
    for (Alert a : shown) {
      blocks.add(new JsonObject().put("type", "divider"));
      blocks.add(section((a.isFiring() ? ":red_circle: *FIRING* " : ":large_green_circle: "
          + "*RESOLVED* ") + "*" + esc(a.summary()) + "*")
          .put("fields", new JsonArray().add(mrkdwn("*Target*\n" + esc(a.target())))
              .add(mrkdwn("*Rule*\n" + esc(a.rule()))).add(mrkdwn("*Severity*\n" + a.severity().wireName()))
              .add(mrkdwn("*Value / threshold*\n" + esc(String.valueOf(a.value())) + " / "
                  + esc(String.valueOf(a.threshold()))))));
      if (!a.census().isEmpty()) {
        blocks.add(section("*Blockers*\n```" + census(a.census()) + "```"));
      }
      if (links.enabled()) {
        blocks.add(context("<" + links.forAlert(a) + "|status page> · <" + links.jsonForAlert(a) + "|JSON> · <"
            + links.alerts() + "|all alerts> · object `" + esc(a.object()) + "`"));
      }
    }
    if (alerts.size() > shown.size()) {
      blocks.add(context("…and " + (alerts.size() - shown.size()) + " more"));
    }
    // "text" is the notification and screen-reader fallback when blocks are present
    return new JsonObject().put("text", title).put("blocks", blocks);
  }

  private static String census(List<Blocker> census) {
    StringBuilder sb = new StringBuilder();
    for (Blocker b : census.subList(0, Math.min(MAX_CENSUS, census.size()))) {
      sb.append("pid ").append(b.pid()).append("  ").append(esc(b.role())).append("  ")
          .append(esc(b.state())).append("  ").append(b.ageSeconds()).append("s\n");
    }
    if (census.size() > MAX_CENSUS) {
      sb.append("…and ").append(census.size() - MAX_CENSUS).append(" more\n");
    }
    return sb.toString();
  }

  private static JsonObject section(String text) {
    return new JsonObject().put("type", "section").put("text", mrkdwn(text));
  }

  private static JsonObject context(String text) {
    return new JsonObject().put("type", "context")
        .put("elements", new JsonArray().add(mrkdwn(text)));
  }

  private static JsonObject mrkdwn(String text) {
    return new JsonObject().put("type", "mrkdwn").put("text", text);
  }

  private static JsonObject plain(String text) {
    return new JsonObject().put("type", "plain_text").put("text", text);
  }

  /** Slack wants &, < and > escaped in mrkdwn (api.slack.com/reference/surfaces/formatting). */
  private static String esc(String s) {
    return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}

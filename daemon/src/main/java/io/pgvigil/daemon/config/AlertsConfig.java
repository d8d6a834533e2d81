package io.pgvigil.daemon.config;

import io.pgvigil.alerts.Severity;
import io.pgvigil.common.SecretValue;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Where alerts go, and how often. Webhook URLs and routing keys are {@link SecretValue}s: holders can post as pgvigil.
 *
 * @param apiBaseUrl     pgvigil's API as the people paged can reach it, for links in messages
 * @param queryText      whether the blocker census carries query text (it may hold customer data)
 */
public record AlertsConfig(Optional<Slack> slack, Optional<PagerDuty> pagerduty, List<Webhook> webhooks,
    Optional<Alertmanager> alertmanager, Duration repeatInterval, boolean resolve, Optional<URI> apiBaseUrl,
    boolean queryText, Spool spool) {

  public static final Duration DEFAULT_REPEAT_INTERVAL = Duration.ofHours(4);
  public static final String SLACK = "slack";
  public static final String PAGERDUTY = "pagerduty";
  public static final String ALERTMANAGER = "alertmanager";

  public static final AlertsConfig NONE = new AlertsConfig(Optional.empty(), Optional.empty(), List.of(),
      Optional.empty(), DEFAULT_REPEAT_INTERVAL, true, Optional.empty(), false, Spool.DEFAULT);

  /** The configured sinks' names, in a fixed order: slack, pagerduty, the webhooks, alertmanager. */
  public List<String> sinkNames() {
    List<String> names = new ArrayList<>();
    slack.ifPresent(s -> names.add(SLACK));
    pagerduty.ifPresent(p -> names.add(PAGERDUTY));
    webhooks.forEach(w -> names.add(w.name()));
    alertmanager.ifPresent(a -> names.add(ALERTMANAGER));
    return names;
  }

  public boolean anySink() {
    return !sinkNames().isEmpty();
  }

  /** Which alerts a sink gets: only these severities and targets; an empty set means all. */
  public record Routing(Set<Severity> severities, Set<String> targets) {
  }

  public record Slack(SecretValue webhookUrl, Routing routing) {
  }

  /** @param url the Events API's base URL, e.g. https://events.eu.pagerduty.com; empty means the default */
  public record PagerDuty(SecretValue routingKey, Optional<URI> url, Routing routing) {
  }

  /** A generic JSON webhook; {@code secret}, when set, signs each request body. */
  public record Webhook(String name, SecretValue url, Optional<SecretValue> secret, Routing routing) {
  }

  public record Alertmanager(URI url, Routing routing) {
  }

  /** Undelivered notifications on disk; no directory means {@code spool} under {@code PGVIGIL_DATA_DIR}. */
  public record Spool(Optional<Path> directory, int maxPerSink) {
    public static final int DEFAULT_MAX_PER_SINK = 1000;
    public static final Spool DEFAULT = new Spool(Optional.empty(), DEFAULT_MAX_PER_SINK);
  }
}

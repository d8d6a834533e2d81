package io.pgvigil.daemon.config;

import io.pgvigil.alerts.Severity;
import io.pgvigil.common.SecretValue;
import io.pgvigil.daemon.config.AlertsConfig.Routing;
import java.net.URI;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Reads {@code alerts:}: the sinks, their routing, repeats, resolves and the spool. */
final class AlertsReader {

  /** pgvigil raises warning and critical alerts only; routing on another severity would route nothing. */
  private static final List<String> SEVERITIES = List.of("warning", "critical");
  private static final List<String> KEYS = List.of("repeatInterval", "resolve", "apiBaseUrl", "queryText",
      "spool", "slack", "pagerduty", "webhooks", "alertmanager");
  private static final List<String> ROUTING_KEYS = List.of("severities", "targets");

  private final Path baseDir;
  private final List<String> targetNames;

  AlertsReader(Path baseDir, List<String> targetNames) {
    this.baseDir = baseDir;
    this.targetNames = List.copyOf(targetNames);
  }

  AlertsConfig read(ConfigNode alerts) {
    if (!alerts.mapping("key", KEYS)) {
      return AlertsConfig.NONE;
    }
    Duration repeatInterval = alerts.get("repeatInterval").positiveDuration()
        .orElse(AlertsConfig.DEFAULT_REPEAT_INTERVAL);
    boolean resolve = alerts.get("resolve").bool().orElse(true);
    boolean queryText = alerts.get("queryText").bool().orElse(false);
    Optional<URI> apiBaseUrl = apiBaseUrl(alerts.get("apiBaseUrl"));
    AlertsConfig.Spool spool = spool(alerts.get("spool"));

    Optional<AlertsConfig.Slack> slack = Optional.empty();
    ConfigNode slackNode = alerts.get("slack");
    if (slackNode.mapping("key", keys("webhookUrl"))) {
      Routing routing = routing(slackNode);
      slack = PolicyReader.secretUrl(slackNode.get("webhookUrl"), "https://hooks.slack.com/services/…")
          .map(url -> new AlertsConfig.Slack(url, routing));
    }
    Optional<AlertsConfig.PagerDuty> pagerduty = Optional.empty();
    ConfigNode pagerdutyNode = alerts.get("pagerduty");
    if (pagerdutyNode.mapping("key", keys("routingKey", "url"))) {
      Routing routing = routing(pagerdutyNode);
      Optional<URI> url = httpUrl(pagerdutyNode.get("url"), "https://events.eu.pagerduty.com");
      ConfigNode key = pagerdutyNode.get("routingKey");
      if (key.require("give the Events API v2 integration key, e.g. routingKey: ${env:PD_ROUTING_KEY}")) {
        pagerduty = key.secret("a routing key").map(k -> new AlertsConfig.PagerDuty(k, url, routing));
      }
    }
    List<AlertsConfig.Webhook> webhooks = webhooks(alerts.get("webhooks"));
    Optional<AlertsConfig.Alertmanager> alertmanager = Optional.empty();
    ConfigNode alertmanagerNode = alerts.get("alertmanager");
    if (alertmanagerNode.mapping("key", keys("url"))) {
      Routing routing = routing(alertmanagerNode);
      ConfigNode url = alertmanagerNode.get("url");
      if (url.require("give the Alertmanager base URL, e.g. http://alertmanager:9093")) {
        alertmanager = httpUrl(url, "http://alertmanager:9093").map(u -> new AlertsConfig.Alertmanager(u, routing));
      }
    }
    return new AlertsConfig(slack, pagerduty, webhooks, alertmanager, repeatInterval, resolve, apiBaseUrl, queryText,
        spool);
  }

  private List<AlertsConfig.Webhook> webhooks(ConfigNode list) {
    List<AlertsConfig.Webhook> webhooks = new ArrayList<>();
    Map<String, String> names = new HashMap<>();
    List<ConfigNode> elements = list.list("[{ url: https://ci.example/abort }]");
    for (int i = 0; i < elements.size(); i++) {
      ConfigNode webhook = elements.get(i);
      if (!webhook.element("a webhook needs a url", keys("name", "url", "secret"))) {
        continue;
      }
      Optional<String> name = webhookName(webhook.get("name"), i, names);
      Routing routing = routing(webhook);
      Optional<SecretValue> secret = webhook.get("secret").secret("a signing secret");
      Optional<SecretValue> url = PolicyReader.secretUrl(webhook.get("url"), "https://ci.example/abort");
      if (name.isPresent() && url.isPresent()) {
        webhooks.add(new AlertsConfig.Webhook(name.get(), url.get(), secret, routing));
      }
    }
    return webhooks;
  }

  /** Named by position unless named; a name keeps the spool and the metric label when the list is reordered. */
  private static Optional<String> webhookName(ConfigNode node, int index, Map<String, String> seen) {
    String name = "webhook-" + (index + 1);
    if (node.isPresent()) {
      Optional<ConfigNode.Scalar> given = node.scalar("a name such as ci");
      if (given.isEmpty() || !TargetReader.validName(node, given.get())) {
        return Optional.empty();
      }
      name = given.get().value();
      if (List.of(AlertsConfig.SLACK, AlertsConfig.PAGERDUTY, AlertsConfig.ALERTMANAGER).contains(name)) {
        node.problem("'" + name + "' is the name of the " + name + " sink; give the webhook another name");
        return Optional.empty();
      }
    }
    String previous = seen.putIfAbsent(name, node.path());
    if (previous != null) {
      node.problem("'" + name + "' is already used at " + previous + "; webhook names must be unique");
      return Optional.empty();
    }
    return Optional.of(name);
  }

  private Routing routing(ConfigNode sink) {
    Set<Severity> severities = new LinkedHashSet<>();
    ConfigNode severitiesNode = sink.get("severities");
    if (severitiesNode.isEmptyList()) {
      severitiesNode.problem("is empty; leave it out to send every severity, or list some of "
          + String.join(", ", SEVERITIES));
    }
    for (ConfigNode severity : severitiesNode.list("[warning, critical]")) {
      severity.oneOf(SEVERITIES).map(Severity::fromWireName).ifPresent(severities::add);
    }
    Set<String> targets = new LinkedHashSet<>();
    ConfigNode targetsNode = sink.get("targets");
    if (targetsNode.isEmptyList()) {
      targetsNode.problem("is empty; leave it out to send alerts of every target, or name some targets");
    }
    for (ConfigNode target : targetsNode.list("[app]")) {
      target.text("a target name such as app").ifPresent(name -> {
        if (targetNames.contains(name)) {
          targets.add(name);
        } else {
          target.problem("'" + name + "' is not a configured target"
              + ConfigNode.closest(name, targetNames).map(s -> "; did you mean '" + s + "'?")
                  .orElse("; targets are " + String.join(", ", targetNames)));
        }
      });
    }
    return new Routing(severities, targets);
  }

  private AlertsConfig.Spool spool(ConfigNode spool) {
    if (!spool.mapping("directory", "maxPerSink")) {
      return AlertsConfig.Spool.DEFAULT;
    }
    ConfigNode directoryNode = spool.get("directory");
    Optional<Path> directory = directoryNode.text("a directory such as /var/lib/pgvigil/spool").flatMap(text -> {
      if (text.isBlank()) {
        directoryNode.problem("is empty; give a directory, or remove the key for the default");
        return Optional.empty();
      }
      try {
        return Optional.of(baseDir.resolve(text).normalize());
      } catch (InvalidPathException e) {
        directoryNode.problem("'" + text + "' is not a valid path");
        return Optional.empty();
      }
    });
    int maxPerSink = spool.get("maxPerSink").positiveInteger().orElse(AlertsConfig.Spool.DEFAULT_MAX_PER_SINK);
    return new AlertsConfig.Spool(directory, maxPerSink);
  }

  /** Links in messages point here; a URL with a token in it would leak into every message. */
  private static Optional<URI> apiBaseUrl(ConfigNode node) {
    Optional<URI> url = httpUrl(node, "https://pgvigil.example.com");
    if (url.isPresent() && (url.get().getRawUserInfo() != null || url.get().getRawQuery() != null)) {
      node.problem("must not carry credentials or a query: it is shown in every message");
      return Optional.empty();
    }
    return url;
  }

  private static Optional<URI> httpUrl(ConfigNode node, String example) {
    return node.scalar("an http(s) URL such as " + example).flatMap(text -> {
      Optional<URI> uri = PolicyReader.httpUrl(text.value());
      if (uri.isEmpty()) {
        // Credentials before an '@' are not repeated in the message.
        node.problem("'" + text.display().replaceAll("[^/\\s@]+@", "…@") + "' must be an http(s) URL such as "
            + example);
      }
      return uri;
    });
  }

  private static List<String> keys(String... sinkKeys) {
    List<String> keys = new ArrayList<>(List.of(sinkKeys));
    keys.addAll(ROUTING_KEYS);
    return keys;
  }
}

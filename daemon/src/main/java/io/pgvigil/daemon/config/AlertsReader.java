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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Reads {@code alerts:}: the sinks, their routing, repeats, resolves and the spool. */
final class AlertsReader {

  /** pgvigil raises warning and critical alerts only; routing on another severity would route nothing. */
  private static final List<String> SEVERITIES = List.of("warning", "critical");
  private static final List<String> KEYS = List.of("repeatInterval", "resolve", "apiBaseUrl", "queryText",
      "spool", "slack", "pagerduty", "webhooks", "alertmanager");

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
    Optional<AlertsConfig.Slack> slack = sink(alerts.get("slack"), keys("webhookUrl"),
        (node, routing) -> PolicyReader
            .secretUrl(node.get("webhookUrl"), "https://hooks.slack.com/services/…")
            .map(url -> new AlertsConfig.Slack(url, routing)));
    Optional<AlertsConfig.PagerDuty> pagerduty = sink(alerts.get("pagerduty"),
        keys("routingKey", "url"), (node, routing) -> {
          Optional<URI> url = httpUrl(node.get("url"), "https://events.eu.pagerduty.com");
          return node.get("routingKey").required(
              "give the Events API v2 integration key, e.g. routingKey: ${env:PD_ROUTING_KEY}")
              .flatMap(key -> key.secret("a routing key"))
              .map(key -> new AlertsConfig.PagerDuty(key, url, routing));
        });
    List<AlertsConfig.Webhook> webhooks = webhooks(alerts.get("webhooks"));
    Optional<AlertsConfig.Alertmanager> alertmanager = sink(alerts.get("alertmanager"), keys("url"),
        (node, routing) -> node.get("url")
            .required("give the Alertmanager base URL, e.g. http://alertmanager:9093")
            .flatMap(url -> httpUrl(url, "http://alertmanager:9093"))
            .map(url -> new AlertsConfig.Alertmanager(url, routing)));
    return new AlertsConfig(slack, pagerduty, webhooks, alertmanager, repeatInterval, resolve, apiBaseUrl, queryText,
        spool);
  }

  private <T> Optional<T> sink(ConfigNode sink, List<String> keys,
      BiFunction<ConfigNode, Routing, Optional<T>> read) {
    return sink.mapping("key", keys) ? read.apply(sink, routing(sink)) : Optional.empty();
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
    return List.copyOf(webhooks);
  }

  /** Named by position unless named; a name keeps the spool and the metric label when the list is reordered. */
  private static Optional<String> webhookName(ConfigNode node, int index, Map<String, String> seen) {
    String name = "webhook-" + (index + 1);
    if (node.isPresent()) {
      Optional<ConfigNode.Scalar> given = TargetReader.validName(node, "ci");
      if (given.isEmpty()) {
        return Optional.empty();
      }
      name = given.get().value();
      if (List.of(AlertsConfig.SLACK, AlertsConfig.PAGERDUTY, AlertsConfig.ALERTMANAGER).contains(name)) {
        node.problem("'" + name + "' is the name of the " + name + " sink; give the webhook another name");
        return Optional.empty();
      }
    }
    return TargetReader.unique(node, name, name, "webhook", seen);
  }

  private Routing routing(ConfigNode sink) {
    ConfigNode severitiesNode = sink.get("severities");
    severitiesNode.emptyList(
        "leave it out to send every severity, or list some of " + String.join(", ", SEVERITIES));
    Set<Severity> severities = severitiesNode.list("[warning, critical]").stream()
        .flatMap(severity -> severity.oneOf(SEVERITIES).map(Severity::fromWireName).stream())
        .collect(Collectors.toSet());
    ConfigNode targetsNode = sink.get("targets");
    targetsNode.emptyList("leave it out to send alerts of every target, or name some targets");
    Set<String> targets = targetsNode.list("[app]").stream()
        .flatMap(target -> target.text("a target name such as app").filter(name -> {
          if (!targetNames.contains(name)) {
            target.problem("'" + name + "' is not a configured target"
                + ConfigNode.closest(name, targetNames).map(s -> "; did you mean '" + s + "'?")
                    .orElse("; targets are " + String.join(", ", targetNames)));
          }
          return targetNames.contains(name);
        }).stream())
        .collect(Collectors.toSet());
    return new Routing(Set.copyOf(severities), Set.copyOf(targets));
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
    return Stream.concat(Stream.of(sinkKeys), Stream.of("severities", "targets")).toList();
  }
}

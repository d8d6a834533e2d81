package io.pgvigil.daemon.alerting;

import io.pgvigil.alerts.AlertmanagerSink;
import io.pgvigil.alerts.PagerDutySink;
import io.pgvigil.alerts.Route;
import io.pgvigil.alerts.Sink;
import io.pgvigil.alerts.SlackSink;
import io.pgvigil.alerts.WebhookSink;
import io.pgvigil.common.SecretValue;
import io.pgvigil.daemon.config.AlertsConfig;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The configured sinks and their routes, built with the daemon's web client and clock. */
record AlertSinks(List<Sink> sinks, List<Route> routes) {

  /** Every request to a sink gives up after this; the queue retries it later. */
  static final Duration TIMEOUT = Duration.ofSeconds(10);
  /**
   * How long Alertmanager keeps a firing alert without hearing of it again: a few repeat intervals,
   * so one lost post resolves nothing, while a pgvigil that died does not leave it firing forever.
   */
  static final int ALERTMANAGER_TTL_REPEATS = 3;

  AlertSinks {
    sinks = List.copyOf(sinks);
    routes = List.copyOf(routes);
  }

  static AlertSinks of(AlertsConfig config, WebClient client, Clock clock) {
    String api = config.apiBaseUrl().map(URI::toString).orElse(null);
    List<Sink> sinks = new ArrayList<>();
    List<Route> routes = new ArrayList<>();
    config.slack().ifPresent(s -> {
      sinks.add(new SlackSink(AlertsConfig.SLACK, client, clock, s.webhookUrl(), api, TIMEOUT));
      routes.add(route(AlertsConfig.SLACK, s.routing()));
    });
    config.pagerduty().ifPresent(p -> {
      sinks.add(new PagerDutySink(AlertsConfig.PAGERDUTY, client, clock, p.routingKey(),
          p.url().map(URI::toString).orElse(null), api, TIMEOUT));
      routes.add(route(AlertsConfig.PAGERDUTY, p.routing()));
    });
    for (AlertsConfig.Webhook w : config.webhooks()) {
      sinks.add(new WebhookSink(w.name(), client, clock, w.url(), w.secret().orElse(null), TIMEOUT));
      routes.add(route(w.name(), w.routing()));
    }
    config.alertmanager().ifPresent(a -> {
      sinks.add(new AlertmanagerSink(AlertsConfig.ALERTMANAGER, client, clock,
          SecretValue.of(a.url().toString()), null, api,
          config.repeatInterval().multipliedBy(ALERTMANAGER_TTL_REPEATS), TIMEOUT));
      routes.add(route(AlertsConfig.ALERTMANAGER, a.routing()));
    });
    return new AlertSinks(sinks, routes);
  }

  private static Route route(String sink, AlertsConfig.Routing routing) {
    return new Route(sink, routing.severities(), routing.targets());
  }
}

package io.pgvigil.daemon.alerting;

import static io.pgvigil.daemon.metrics.MeterNames.ALERTS_FIRING;
import static io.pgvigil.daemon.metrics.MeterNames.ALERT_NOTIFICATIONS;
import static io.pgvigil.daemon.metrics.MeterNames.ALERT_SPOOL_DEPTH;
import static io.pgvigil.daemon.metrics.MeterNames.TAG_RESULT;
import static io.pgvigil.daemon.metrics.MeterNames.TAG_RULE;
import static io.pgvigil.daemon.metrics.MeterNames.TAG_SINK;
import static io.pgvigil.daemon.metrics.MeterNames.TAG_TARGET;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.pgvigil.alerts.Alert;
import io.pgvigil.alerts.DeliveryEvent;
import io.pgvigil.alerts.DeliveryListener;
import io.pgvigil.alerts.DeliveryQueue;
import io.pgvigil.alerts.DeliveryResult;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The alert meters. Labels are bounded (sinks and targets from the config, results and rules from
 * the code; never a pid, an object name or a URL). Every sink's counters exist from the start at 0;
 * a (target, rule) pair once seen firing stays registered and drops to 0.
 */
final class AlertMetrics implements DeliveryListener {

  private record Firing(String target, String rule) {}

  private final MeterRegistry registry;
  private final Map<String, Map<DeliveryResult, Counter>> notifications = new HashMap<>();
  private final Map<Firing, AtomicInteger> firing = new ConcurrentHashMap<>();

  AlertMetrics(MeterRegistry registry, List<String> sinks, List<String> targets, List<String> rules) {
    this.registry = registry;
    for (String sink : sinks) {
      Map<DeliveryResult, Counter> bySink = new EnumMap<>(DeliveryResult.class);
      for (DeliveryResult result : DeliveryResult.values()) {
        bySink.put(result, Counter.builder(ALERT_NOTIFICATIONS)
            .description("Alert notifications by sink and outcome: sent, retried (a transient "
                + "failure, tried again), failed (rejected, dropped), dropped (spool full), "
                + "spool_failed (not written to the spool: kept in memory, still sent)")
            .tags(TAG_SINK, sink, TAG_RESULT, result.label()).register(registry));
      }
      notifications.put(sink, bySink);
    }
    for (String target : targets) {
      for (String rule : rules) {
        firingGauge(new Firing(target, rule));
      }
    }
  }

  /** Registers the spool depth gauges once the queue exists. */
  void spool(DeliveryQueue queue) {
    for (String sink : notifications.keySet()) {
      Gauge.builder(ALERT_SPOOL_DEPTH, queue, q -> q.spoolDepth(sink))
          .description("Notifications not delivered yet, by sink: in the on-disk spool, or in "
              + "memory when the spool cannot be written")
          .tags(TAG_SINK, sink).register(registry);
    }
  }

  @Override
  public void onDelivery(DeliveryEvent event) {
    Map<DeliveryResult, Counter> bySink = notifications.get(event.sink());
    if (bySink != null) {
      bySink.get(event.result()).increment();
    }
  }

  void firing(List<Alert> alerts) {
    Map<Firing, Integer> now = new HashMap<>();
    for (Alert a : alerts) {
      now.merge(new Firing(a.target(), a.rule()), 1, Integer::sum);
    }
    now.keySet().forEach(this::firingGauge);
    firing.forEach((key, value) -> value.set(now.getOrDefault(key, 0)));
  }

  /** A retired target's gauges left the registry with its other meters: a target of the same name registers anew. */
  void retire(String target) {
    firing.keySet().removeIf(key -> key.target().equals(target));
  }

  private AtomicInteger firingGauge(Firing key) {
    return firing.computeIfAbsent(key, k -> {
      AtomicInteger value = new AtomicInteger();
      Gauge.builder(ALERTS_FIRING, value, AtomicInteger::get)
          .description("pgvigil's own alerts firing now, by target and rule")
          .tags(TAG_TARGET, k.target(), TAG_RULE, k.rule()).register(registry);
      return value;
    });
  }
}

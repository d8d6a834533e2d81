package io.pgvigil.daemon.killswitch;

import static io.pgvigil.daemon.metrics.MeterNames.ABORT_ACTIONS;
import static io.pgvigil.daemon.metrics.MeterNames.TAG_TARGET;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pgvigil.checks.migration.SignalOutcome;
import io.pgvigil.daemon.cluster.SharedMap;
import io.pgvigil.daemon.config.KillSwitchConfig;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kill switch's audit trail: every decision logged, counted, kept (the last 100) and handed to listeners. Once
 * {@link #share shared}, the decisions of every instance are listed: whoever owned the target when it acted.
 */
public final class AbortLog {

  private static final Logger LOG = LoggerFactory.getLogger(AbortLog.class);
  private static final int KEPT = 100;

  private final MeterRegistry registry;
  private final Deque<AbortDecision> recent = new ArrayDeque<>();
  private final List<Consumer<AbortDecision>> listeners = new CopyOnWriteArrayList<>();
  private volatile SharedMap shared;

  public AbortLog(MeterRegistry registry) {
    this.registry = registry;
  }

  public synchronized void record(AbortDecision d) {
    LOG.warn("abort target={} rule={} value={} threshold={} window={} action={} pid={} backend_start={} "
        + "result={} message=\"{}\"", d.target(), d.rule(), d.value(), d.threshold(), d.windowId(),
        d.action(), d.pid(), d.backendStart(), d.result(), d.message());
    counter(d.target(), d.action(), d.result()).increment();
    recent.addFirst(d);
    while (recent.size() > KEPT) {
      recent.removeLast();
    }
    SharedMap map = shared;
    if (map != null) {
      map.put(d.at().toString() + " " + UUID.randomUUID(), d.json());
      // The keys sort by time: the oldest go once more than the last 100 are kept.
      List<String> keys = map.values().keySet().stream().sorted().toList();
      keys.subList(0, Math.max(0, keys.size() - KEPT)).forEach(map::remove);
    }
    for (Consumer<AbortDecision> listener : listeners) {
      try {
        listener.accept(d);
      } catch (RuntimeException e) {
        // A listener (the alerts) must not turn a decision that was carried out into a failure.
        LOG.error("abort decision listener failed on target {} action {}", d.target(), d.action(), e);
      }
    }
  }

  /**
   * Makes the target's counter exist at 0 for every action and result its kill switch can record, before its first
   * decision: a series that appears at 1 gives {@code increase()} nothing to compare with (the dashboard's first abort
   * would be missed), and a panel of a counter never incremented shows "No data" instead of 0. Only what
   * {@code config} can produce: a dry run never signals, and only cancel-and-terminate-blockers terminates.
   */
  public void countActionsOf(String target, KillSwitchConfig config) {
    knownResults(config).forEach((action, results) -> results.forEach(result -> counter(target, action, result)));
  }

  /**
   * What each action can record under {@code config}, as KillSwitchActions records it: {@code dry-run} in dry-run
   * mode, else a failure to signal or the signal's outcome (cancel, and terminate in cancel-and-terminate-blockers);
   * the hooks {@code skipped} when there are none, else their dry run or whether they ran.
   */
  static Map<String, List<String>> knownResults(KillSwitchConfig config) {
    boolean dryRun = config.mode() == KillSwitchConfig.Mode.DRY_RUN;
    Map<String, List<String>> known = new TreeMap<>();
    known.put("cancel", dryRun ? List.of("dry-run") : results(SignalOutcome.TERMINATED, "failed"));
    if (config.mode() == KillSwitchConfig.Mode.CANCEL_AND_TERMINATE_BLOCKERS) {
      known.put("terminate", results(SignalOutcome.CANCELLED, "failed"));
    }
    known.put("hook", config.hooks().isEmpty() ? List.of("skipped") : dryRun ? List.of("dry-run") : List.of("ok",
        "failed"));
    return known;
  }

  /** {@code others} and every signal outcome but {@code never}, as KillSwitchActions records them. */
  private static List<String> results(SignalOutcome never, String... others) {
    List<String> results = new ArrayList<>(List.of(others));
    for (SignalOutcome outcome : SignalOutcome.values()) {
      if (outcome != never) {
        results.add(outcome.name().toLowerCase(Locale.ROOT).replace('_', '-'));
      }
    }
    return List.copyOf(results);
  }

  private Counter counter(String target, String action, String result) {
    return Counter.builder(ABORT_ACTIONS)
        .description("Kill-switch decisions and actions, by result (dry-run, cancelled, refused-guard, …)")
        .tags(TAG_TARGET, target, "action", action, "result", result)
        .register(registry);
  }

  /** Tells {@code listener} every decision from now on; it runs on the deciding thread and must not block. */
  public void onDecision(Consumer<AbortDecision> listener) {
    listeners.add(listener);
  }

  /** Decisions go to {@code map} too, and {@link #recent} lists every instance's. */
  public void share(SharedMap map) {
    shared = map;
  }

  /** The last 100 decisions, newest first. */
  public synchronized List<AbortDecision> recent() {
    SharedMap map = shared;
    if (map == null) {
      return List.copyOf(recent);
    }
    return map.values().values().stream().flatMap(json -> {
      try {
        return Stream.of(AbortDecision.of(json));
      } catch (RuntimeException e) {
        return Stream.empty(); // a foreign or torn record: the audit of the others still shows
      }
    }).sorted(Comparator.comparing(AbortDecision::at).reversed()).limit(KEPT).toList();
  }
}

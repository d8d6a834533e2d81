package io.pgvigil.daemon.windows;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pgvigil.daemon.cluster.SharedMap;
import io.pgvigil.daemon.logging.UntrustedText;
import io.pgvigil.daemon.metrics.MeterNames;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every target's migration windows: the open ones, and the last closed ones for the API. Thread-safe (the API, the
 * targets' event loops and the expiry timer all touch it); every change is logged as one line. Once
 * {@link #share shared}, the windows are the cluster's: a window opened through any instance is honoured by
 * whichever instance owns the target, now and after a failover.
 */
public final class WindowRegistry {

  private static final Logger LOG = LoggerFactory.getLogger(WindowRegistry.class);
  /** Closed windows kept for the API. */
  private static final int HISTORY = 50;
  /** The profile under which a window's abort levels apply. */
  public static final String IN_WINDOW = "in-window";

  private final Clock clock;
  private final MeterRegistry registry;
  private final Map<String, MigrationWindow> open = new LinkedHashMap<>();
  private final Deque<MigrationWindow> closed = new ArrayDeque<>();
  /**
   * The open windows this instance opened: only their closes are counted here, whoever closed them (this instance's
   * API or expiry, or another instance through the map). Every instance expires every shared window, so counting
   * each instance's own closes would count one window once per instance.
   */
  private final Set<String> openedHere = new HashSet<>();
  private final List<Consumer<String>> openListeners = new CopyOnWriteArrayList<>();
  private volatile SharedMap shared;

  /** A registry whose window counters nobody reads (tests). */
  public WindowRegistry(Clock clock) {
    this(clock, new SimpleMeterRegistry());
  }

  /**
   * @param registry where the windows this instance opens, and the closes of those windows (by whichever instance
   *                 closed them), are counted per target: the sum over the running instances counts each window
   *                 opened once and each close of one once; a window whose opener has stopped is not counted
   *                 closed
   */
  public WindowRegistry(Clock clock, MeterRegistry registry) {
    this.clock = clock;
    this.registry = registry;
  }

  /**
   * Makes the target's counters exist at 0 before its first window: a counter that appears at 1 gives
   * {@code increase()} nothing to compare with, and Grafana's annotation for the first window would be missed.
   */
  public void countWindowsOf(String target) {
    counter(true, target);
    counter(false, target);
  }

  private Counter counter(boolean opened, String target) {
    return Counter.builder(opened ? MeterNames.MIGRATION_WINDOWS_OPENED : MeterNames.MIGRATION_WINDOWS_CLOSED)
        .description(opened ? "Migration windows opened on the target by this instance"
            : "Migration windows opened on the target by this instance and since closed, by any instance")
        .tag(MeterNames.TAG_TARGET, target).register(registry);
  }

  private void counted(MigrationWindow w) {
    counter(w.open(), w.target()).increment();
  }

  /**
   * Told the target's name whenever a window opens on it (outside this registry's lock): the daemon polls that
   * target at once, at the window's pace, rather than after the interval already scheduled.
   */
  public void onOpen(Consumer<String> listener) {
    openListeners.add(listener);
  }

  /**
   * From now on every change here goes to {@code map}, and every change there (by any instance) comes here; the
   * windows known before are added to it.
   */
  public void share(SharedMap map) {
    List<MigrationWindow> known = all();
    shared = map;
    map.onChange(this::changed);
    map.values().forEach((id, json) -> changed(id, Optional.of(json)));
    known.forEach(this::publish);
  }

  private void publish(MigrationWindow w) {
    SharedMap map = shared;
    if (map != null) {
      map.put(w.id(), w.json());
    }
  }

  /** A window as another instance (or this one, through the map) left it. */
  private void changed(String id, Optional<JsonObject> json) {
    MigrationWindow w = json.map(MigrationWindow::of).orElse(null);
    boolean opened;
    boolean closedOurs = false;
    synchronized (this) {
      opened = w != null && w.open() && open.put(id, w) == null;
      if (w == null || !w.open()) {
        open.remove(id);
        closedOurs = openedHere.remove(id) && w != null;
        closed.removeIf(c -> c.id().equals(id));
        if (w != null) {
          closed.addFirst(w);
          trim();
        }
      }
    }
    if (closedOurs) {
      counted(w);
    }
    if (opened) {
      LOG.info("window {} on target {} is open ({} window, shared by the cluster)", id, w.target(), w.source());
      openListeners.forEach(l -> l.accept(w.target()));
    }
  }

  private void trim() {
    while (closed.size() > HISTORY) {
      MigrationWindow old = closed.removeLast();
      SharedMap map = shared;
      if (map != null) {
        map.remove(old.id());
      }
    }
  }

  public MigrationWindow open(String target, Duration ttl, String label, String profile) {
    MigrationWindow window;
    synchronized (this) {
      Instant now = clock.instant();
      window = new MigrationWindow(UUID.randomUUID().toString(), target, label, profile, "api", now, now.plus(ttl),
          null, null, null, null, null);
      open.put(window.id(), window);
      openedHere.add(window.id());
    }
    publish(window);
    counted(window);
    // The label is whatever the API was sent: escaped, so it cannot forge a log line.
    LOG.info("window {} opened on target {} for {} ({}, profile {})", window.id(), target, ttl,
        UntrustedText.of(label), profile);
    openListeners.forEach(l -> l.accept(target));
    return window;
  }

  /**
   * Opens an automatic window when a migration tool is seen running on a target, one per tool: a tool seen again
   * keeps its window. The window records the migration's backend (the one running the migration's statements when
   * it can be told apart). It lasts while the tool is seen ({@link #migrationEnded}), at most {@code ttl}.
   *
   * <p>A tool seen again on a different backend moves its window's record there when {@code preferred} (the new
   * backend is the one running statements) or when the recorded backend is no longer among {@code seenPids}: Flyway
   * takes its lock on one connection before its second connection starts the DDL, so the first poll may only see
   * the idle lock holder.
   */
  public Optional<MigrationWindow> openAuto(String target, String tool, Integer pid, OffsetDateTime backendStart,
      boolean preferred, Set<Integer> seenPids, Duration ttl) {
    MigrationWindow window;
    synchronized (this) {
      for (MigrationWindow w : open.values()) {
        if (w.target().equals(target) && "auto".equals(w.source()) && tool.equals(w.tool())) {
          if (pid != null && !pid.equals(w.backendPid())
              && (preferred || w.backendPid() == null || !seenPids.contains(w.backendPid()))) {
            MigrationWindow moved = w.recording(pid, backendStart);
            open.put(w.id(), moved);
            publish(moved);
            LOG.info("window {} on target {}: {} now runs on pid {} (was {})", w.id(), target, tool, pid,
                w.backendPid());
          }
          return Optional.empty();
        }
      }
      Instant now = clock.instant();
      window = new MigrationWindow(UUID.randomUUID().toString(), target, tool + " migration", IN_WINDOW, "auto",
          now, now.plus(ttl), pid, backendStart, tool, null, null);
      open.put(window.id(), window);
      openedHere.add(window.id());
      LOG.info("window {} opened on target {}: {} seen running (pid {})", window.id(), target, tool, pid);
    }
    publish(window);
    counted(window);
    openListeners.forEach(l -> l.accept(target));
    return Optional.of(window);
  }

  /** Closes the automatic windows of a target whose tool is no longer seen running. */
  public synchronized void migrationEnded(String target, Set<String> toolsRunning) {
    closeAll(w -> w.target().equals(target) && "auto".equals(w.source()) && !toolsRunning.contains(w.tool()),
        "migration ended");
  }

  public synchronized void expire() {
    Instant now = clock.instant();
    closeAll(w -> !now.isBefore(w.expiresAt()), "expired");
  }

  private void closeAll(Predicate<MigrationWindow> which, String reason) {
    open.values().stream().filter(which).map(MigrationWindow::id).toList().forEach(id -> close(id, reason));
  }

  /** Closes a window; empty when no open window has that id. */
  public synchronized Optional<MigrationWindow> close(String id, String reason) {
    MigrationWindow window = open.remove(id);
    if (window == null) {
      return Optional.empty();
    }
    MigrationWindow done = window.closed(clock.instant(), reason);
    closed.addFirst(done);
    trim();
    publish(done);
    if (openedHere.remove(id)) {
      counted(done);
    }
    LOG.info("window {} on target {} closed: {}", id, window.target(), reason);
    return Optional.of(done);
  }

  public synchronized List<MigrationWindow> openWindows(String target) {
    return open.values().stream().filter(w -> w.target().equals(target)).toList();
  }

  public synchronized boolean active(String target) {
    return open.values().stream().anyMatch(w -> w.target().equals(target));
  }

  /**
   * Whether the in-window rules apply to a target: a window with the {@code in-window} profile (every automatic
   * window, and API windows by default) is open. A window opened with the {@code always} profile speeds up polling
   * but keeps the outside-window rules.
   */
  public synchronized boolean inWindowProfile(String target) {
    return open.values().stream().anyMatch(w -> w.target().equals(target) && IN_WINDOW.equals(w.profile()));
  }

  /** Open windows first, then the recently closed ones, newest first. */
  public synchronized List<MigrationWindow> all() {
    List<MigrationWindow> all = new ArrayList<>(open.values());
    all.addAll(closed);
    return all;
  }
}

package io.pgvigil.daemon.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small map of JSON values every pgvigil instance holds a copy of: the migration windows, each
 * target's alert state, the silences, who owns which target. A change is applied here, published
 * on the event bus (every member applies it at once) and written to the cluster-wide
 * {@link AsyncMap} (what a member that starts later reads); the copy is also kept in a file in the
 * data directory, replaced atomically, so that a restart without peers finds it. Last writer wins
 * per key, by the change's wall-clock time (members of one cluster are assumed to keep their
 * clocks in step, as Kubernetes nodes do); a removal is kept as a tombstone for a day so that a
 * late copy does not bring the value back. Without a cluster the map and the event bus are Vert.x's
 * local ones: the same code runs.
 *
 * <p>Thread-safe; reads never block and never touch the network.
 */
public final class SharedMap {

  private static final Logger LOG = LoggerFactory.getLogger(SharedMap.class);
  private static final Duration TOMBSTONES = Duration.ofDays(1);
  private static final Duration FLUSH = Duration.ofMillis(500);

  private final Vertx vertx;
  private final String name;
  private final Optional<Path> file;
  private final Clock clock;
  /** Key → {@code {"at": epoch millis, "value": {...}}}, or {@code {"at": ..., "deleted": true}}. */
  private final Map<String, JsonObject> entries = new ConcurrentHashMap<>();
  private final List<BiConsumer<String, Optional<JsonObject>>> listeners = new CopyOnWriteArrayList<>();
  private final AtomicBoolean dirty = new AtomicBoolean();
  private volatile AsyncMap<String, String> cluster;
  private MessageConsumer<JsonObject> consumer;
  private long timer = -1;

  /** @param file where the copy is kept; empty keeps it in memory only (commands, tests) */
  public SharedMap(Vertx vertx, String name, Optional<Path> file, Clock clock) {
    this.vertx = vertx;
    this.name = name;
    this.file = file;
    this.clock = clock;
  }

  /** Reads the file, then what the cluster holds; publishes what only the file knew. */
  public Future<Void> start() {
    consumer = vertx.eventBus().consumer(address(), m -> merge(m.body().getString("key"),
        m.body().getJsonObject("entry"), false));
    return vertx.executeBlocking(this::readFile)
        .compose(fromFile -> {
          fromFile.forEach((k, e) -> merge(k, e, false));
          return vertx.sharedData().<String, String>getAsyncMap("pgvigil." + name);
        })
        .compose(map -> {
          cluster = map;
          return map.entries();
        })
        .map(clustered -> {
          clustered.forEach((k, text) -> merge(k, new JsonObject(text), false));
          // What this member knew that the cluster did not (a restart while alone) goes back.
          entries.forEach((k, e) -> {
            String there = clustered.get(k);
            if (there == null || new JsonObject(there).getLong("at") < e.getLong("at")) {
              send(k, e);
            }
          });
          timer = vertx.setPeriodic(FLUSH.toMillis(), id -> flushSoon());
          return null;
        });
  }

  public Future<Void> close() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    Future<Void> unregistered = consumer == null ? Future.succeededFuture() : consumer.unregister();
    return unregistered.transform(v -> vertx.executeBlocking(() -> {
      writeFile();
      return null;
    }));
  }

  public void put(String key, JsonObject value) {
    change(key, new JsonObject().put("at", clock.millis()).put("value", value));
  }

  public void remove(String key) {
    if (entries.containsKey(key) && !entries.get(key).getBoolean("deleted", false)) {
      change(key, new JsonObject().put("at", clock.millis()).put("deleted", true));
    }
  }

  public Optional<JsonObject> get(String key) {
    return value(entries.get(key));
  }

  /** The live values, by key. */
  public Map<String, JsonObject> values() {
    Map<String, JsonObject> out = new LinkedHashMap<>();
    entries.forEach((k, e) -> value(e).ifPresent(v -> out.put(k, v)));
    return out;
  }

  /** Told of every change, local or remote, with the new value (empty: removed). */
  public void onChange(BiConsumer<String, Optional<JsonObject>> listener) {
    listeners.add(listener);
  }

  private void change(String key, JsonObject entry) {
    // Never older than what is here: a clock that steps back must not lose this change.
    JsonObject current = entries.get(key);
    if (current != null && current.getLong("at") >= entry.getLong("at")) {
      entry.put("at", current.getLong("at") + 1);
    }
    if (merge(key, entry, true)) {
      send(key, entry);
    }
  }

  private void send(String key, JsonObject entry) {
    vertx.eventBus().publish(address(), new JsonObject().put("key", key).put("entry", entry));
    AsyncMap<String, String> map = cluster;
    if (map != null) {
      map.put(key, entry.encode()).onFailure(e -> LOG.warn("shared {}: {} not stored in the cluster: {}",
          name, key, e.toString()));
    }
  }

  /** Keeps the newer of two entries; true when {@code entry} was applied. */
  private boolean merge(String key, JsonObject entry, boolean local) {
    if (key == null || entry == null || entry.getLong("at") == null) {
      return false;
    }
    boolean[] applied = {false};
    entries.compute(key, (k, current) -> {
      if (current != null && (current.getLong("at") > entry.getLong("at")
          || current.getLong("at").equals(entry.getLong("at")) && !local)) {
        return current;
      }
      applied[0] = !entry.equals(current);
      return entry;
    });
    if (applied[0]) {
      dirty.set(true);
      Optional<JsonObject> now = value(entry);
      for (BiConsumer<String, Optional<JsonObject>> l : listeners) {
        try {
          l.accept(key, now);
        } catch (RuntimeException e) {
          LOG.error("shared {}: a listener failed on {}", name, key, e);
        }
      }
    }
    return applied[0];
  }

  private static Optional<JsonObject> value(JsonObject entry) {
    return entry == null || entry.getBoolean("deleted", false) ? Optional.empty()
        : Optional.ofNullable(entry.getJsonObject("value"));
  }

  private String address() {
    return "pgvigil.shared." + name;
  }

  private void flushSoon() {
    if (file.isPresent() && dirty.compareAndSet(true, false)) {
      vertx.executeBlocking(() -> {
        writeFile();
        return null;
      }).onFailure(e -> {
        dirty.set(true);
        LOG.warn("shared {}: {} not written: {}", name, file.get(), e.toString());
      });
    }
  }

  private Map<String, JsonObject> readFile() throws IOException {
    Map<String, JsonObject> read = new LinkedHashMap<>();
    if (file.isEmpty() || !Files.exists(file.get())) {
      return read;
    }
    try {
      JsonObject json = new JsonObject(Files.readString(file.get(), StandardCharsets.UTF_8));
      json.getJsonObject("entries", new JsonObject()).forEach(e -> read.put(e.getKey(), (JsonObject) e.getValue()));
    } catch (RuntimeException e) {
      // A torn or foreign file must not stop the daemon: the cluster, or a fresh start, has the rest.
      LOG.warn("shared {}: {} is not readable ({}); starting without it", name, file.get(), e.getMessage());
    }
    return read;
  }

  private synchronized void writeFile() throws IOException {
    if (file.isEmpty()) {
      return;
    }
    long oldest = clock.millis() - TOMBSTONES.toMillis();
    entries.entrySet().removeIf(e -> e.getValue().getBoolean("deleted", false) && e.getValue().getLong("at") < oldest);
    JsonObject all = new JsonObject();
    entries.forEach(all::put);
    Path target = file.get();
    Files.createDirectories(target.getParent());
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    Files.writeString(tmp, new JsonObject().put("entries", all).encode(), StandardCharsets.UTF_8);
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}

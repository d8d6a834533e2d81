package io.pgvigil.daemon.cluster;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small map of JSON values every pgvigil instance holds a copy of: the migration windows, each target's alert
 * state, the silences, who owns which target. A change is applied here, published on the event bus (every member
 * applies it at once) and written to the cluster-wide {@link AsyncMap} (what a member that starts later reads); the
 * copy is also kept in a file in the data directory ({@link StateFile}), so that a restart without peers finds it.
 *
 * <p>Last writer wins per key, every member ordering the versions of a key the same way: by the change's wall-clock
 * time, then by the id of the member that made it (members of one cluster are assumed to keep their clocks in step,
 * as Kubernetes nodes do). A change made here is always newer than the version held, so that a clock that steps back
 * or two changes in one millisecond lose nothing; the cluster map only ever moves to a newer version (compare and
 * set), so that a change that reaches it late does not hide a newer one from members that start later. A removal is
 * kept as a tombstone for a day so that a late copy does not bring the value back. With a {@link RecordSeal} that
 * authenticates, a version whose MAC is missing or wrong (from the event bus, the cluster map or the file) is counted,
 * logged and never applied. Without a cluster the map and the event bus are Vert.x's local ones: the same code runs.
 *
 * <p>Thread-safe; reads never block and never touch the network.
 */
public final class SharedMap {

  private static final Logger LOG = LoggerFactory.getLogger(SharedMap.class);
  private static final Duration TOMBSTONES = Duration.ofDays(1);
  private static final Duration FLUSH = Duration.ofMillis(500);
  /** Compare-and-set rounds against other members writing the same key at once before giving up. */
  private static final int STORE_ATTEMPTS = 8;
  private static final String AT = "at";
  /** How far ahead of this member's clock a version may be dated. */
  private static final Duration FUTURE = Duration.ofDays(1);
  private static final String BY = "by";
  private static final String VALUE = "value";
  private static final String DELETED = "deleted";

  private final Vertx vertx;
  private final String name;
  private final Optional<StateFile> file;
  private final Clock clock;
  private final String writer;
  private final RecordSeal seal;
  private final RejectedRecords rejected;
  /** Key → {@code {"at": epoch millis, "by": member, "value": {...}}} or {@code {..., "deleted": true}}, + "mac". */
  private final Map<String, JsonObject> entries = new ConcurrentHashMap<>();
  private final List<BiConsumer<String, Optional<JsonObject>>> listeners = new CopyOnWriteArrayList<>();
  private final AtomicBoolean dirty = new AtomicBoolean();
  private volatile AsyncMap<String, String> cluster;
  private MessageConsumer<Object> consumer;
  private long timer = -1;

  /** A map whose records are not authenticated, written by a member with a random id (commands, tests). */
  public SharedMap(Vertx vertx, String name, Optional<Path> file, Clock clock) {
    this(vertx, name, file, clock, UUID.randomUUID().toString(), RecordSeal.none(), new SimpleMeterRegistry());
  }

  /**
   * @param file where the copy is kept; empty keeps it in memory only
   * @param writer this member's id in the cluster: it orders two changes made in the same millisecond
   */
  public SharedMap(Vertx vertx, String name, Optional<Path> file, Clock clock, String writer, RecordSeal seal,
      MeterRegistry registry) {
    this.vertx = vertx;
    this.name = name;
    this.file = file.map(StateFile::new);
    this.clock = clock;
    this.writer = writer;
    this.seal = seal;
    this.rejected = new RejectedRecords(name, clock, seal.authenticates(), registry);
  }

  /** Reads the file, then what the cluster holds; gives the cluster what only this member knew. */
  public Future<Void> start() {
    consumer = vertx.eventBus().consumer(address(), m -> {
      if (m.body() instanceof JsonObject body && body.getValue("key") instanceof String key
          && body.getValue("entry") instanceof JsonObject entry) {
        received(key, entry, "the event bus");
      } else {
        reject("?", "the event bus");
      }
    });
    return vertx.executeBlocking(this::readFile)
        .compose(fromFile -> {
          fromFile.forEach((k, e) -> received(k, e, file.get().path().toString()));
          return vertx.sharedData().<String, String>getAsyncMap("pgvigil." + name);
        })
        .compose(map -> {
          cluster = map;
          return map.entries();
        })
        .map(clustered -> {
          Map<String, JsonObject> there = new LinkedHashMap<>();
          clustered.forEach((k, text) -> authentic(k, text, "the cluster map").ifPresent(e -> {
            there.put(k, e);
            merge(k, e);
          }));
          // What this member knew that the cluster did not (a restart while alone) goes back.
          entries.forEach((k, e) -> {
            if (!there.containsKey(k) || newer(e, there.get(k))) {
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
    // Unordered (writeFile is synchronized): ordered, the last write of a stop sometimes never ran, likely queued
    // on the context of a verticle the stop had just undeployed.
    return unregistered.transform(v -> vertx.executeBlocking(() -> {
      writeFile();
      return null;
    }, false));
  }

  /** Applies at once; the future completes when the cluster map has this value or a newer one. */
  public Future<Void> put(String key, JsonObject value) {
    return write(key, current -> new JsonObject().put(VALUE, value));
  }

  public Future<Void> remove(String key) {
    return write(key, current -> value(current).isEmpty() ? null : new JsonObject().put(DELETED, true));
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

  /** A local change: {@code content} gets what is held and says what replaces it (null: nothing to do). */
  private Future<Void> write(String key, Function<JsonObject, JsonObject> content) {
    JsonObject[] written = {null};
    entries.compute(key, (k, current) -> {
      JsonObject change = content.apply(current);
      if (change == null) {
        return current;
      }
      // Strictly newer than what is held, decided with it: a clock that steps back, or another change in the same
      // millisecond, must not make this one lose on another member.
      long at = current == null ? clock.millis() : Math.max(clock.millis(), at(current) + 1);
      written[0] = seal.seal(name, k, new JsonObject().put(AT, at).put(BY, writer).mergeIn(change));
      return written[0];
    });
    if (written[0] == null) {
      return Future.succeededFuture();
    }
    changed(key);
    return send(key, written[0]);
  }

  private Future<Void> send(String key, JsonObject entry) {
    vertx.eventBus().publish(address(), new JsonObject().put("key", key).put("entry", entry));
    AsyncMap<String, String> map = cluster;
    if (map == null) {
      return Future.succeededFuture();
    }
    return store(map, key, entry, 1).onFailure(e -> LOG.warn("shared {}: {} not stored in the cluster: {}", name,
        key, e.toString()));
  }

  /**
   * Moves the cluster map's copy of {@code key} to {@code entry} unless it holds a newer version: a blind put that
   * arrives after a newer one would give members that start later the older value. A copy that is not authentic is
   * replaced (a forged version dated far ahead must not pin the key).
   */
  private Future<Void> store(AsyncMap<String, String> map, String key, JsonObject entry, int attempt) {
    String text = entry.encode();
    return map.get(key).compose(there -> {
      if (there == null) {
        return map.putIfAbsent(key, text).map(previous -> previous == null);
      }
      Optional<JsonObject> held = authentic(key, there, "the cluster map");
      if (held.isPresent() && !newer(entry, held.get())) {
        // This version, or a newer one whose event-bus message has not arrived (or was lost): take it.
        merge(key, held.get());
        return Future.succeededFuture(true);
      }
      return map.replaceIfPresent(key, there, text);
    }).compose(stored -> {
      if (stored) {
        return Future.succeededFuture();
      }
      if (attempt >= STORE_ATTEMPTS) {
        LOG.warn("shared {}: {} not stored in the cluster: other writes of it won {} times in a row", name, key,
            attempt);
        return Future.succeededFuture();
      }
      return store(map, key, entry, attempt + 1);
    });
  }

  /** Another member's version (or the file's): taken when authentic and newer. */
  private void received(String key, JsonObject entry, String from) {
    if (valid(key, entry)) {
      merge(key, entry);
    } else {
      reject(key, from);
    }
  }

  private Optional<JsonObject> authentic(String key, String text, String from) {
    JsonObject entry;
    try {
      entry = new JsonObject(text);
    } catch (DecodeException e) {
      reject(key, from);
      return Optional.empty();
    }
    if (valid(key, entry)) {
      return Optional.of(entry);
    }
    reject(key, from);
    return Optional.empty();
  }

  /**
   * Sealed, and dated no later than a day ahead: a version from far in the future would win over every later
   * change (and its time + 1 would overflow), so it is no version at all.
   */
  private boolean valid(String key, JsonObject entry) {
    return entry.getValue(AT) instanceof Number n && n.longValue() <= clock.millis() + FUTURE.toMillis()
        && seal.verify(name, key, entry);
  }

  private void reject(String key, String from) {
    rejected.reject(key, from);
  }

  /** Keeps the newer of two versions. */
  private void merge(String key, JsonObject entry) {
    boolean[] applied = {false};
    entries.compute(key, (k, current) -> {
      if (current != null && !newer(entry, current)) {
        return current;
      }
      applied[0] = true;
      return entry;
    });
    if (applied[0]) {
      changed(key);
    }
  }

  /** Tells the listeners what the key holds now (not the version that changed it: another may have followed). */
  private void changed(String key) {
    dirty.set(true);
    Optional<JsonObject> now = value(entries.get(key));
    for (BiConsumer<String, Optional<JsonObject>> l : listeners) {
      try {
        l.accept(key, now);
      } catch (RuntimeException e) {
        LOG.error("shared {}: a listener failed on {}", name, key, e);
      }
    }
  }

  /** Whether {@code a} comes after {@code b}: later, or as late and written by a member with a greater id. */
  static boolean newer(JsonObject a, JsonObject b) {
    int byTime = Long.compare(at(a), at(b));
    return byTime > 0 || byTime == 0 && writer(a).compareTo(writer(b)) > 0;
  }

  private static long at(JsonObject entry) {
    return entry.getValue(AT) instanceof Number n ? n.longValue() : Long.MIN_VALUE;
  }

  private static String writer(JsonObject entry) {
    return entry.getValue(BY) instanceof String by ? by : "";
  }

  private static Optional<JsonObject> value(JsonObject entry) {
    return entry == null || entry.getBoolean(DELETED, false) ? Optional.empty()
        : Optional.ofNullable(entry.getJsonObject(VALUE));
  }

  private String address() {
    return "pgvigil.shared." + name;
  }

  private void flushSoon() {
    if (file.isPresent() && dirty.compareAndSet(true, false)) {
      vertx.executeBlocking(() -> {
        writeFile();
        return null;
      }, false).onFailure(e -> {
        dirty.set(true);
        LOG.warn("shared {}: {} not written: {}", name, file.get().path(), e.toString());
      });
    }
  }

  private Map<String, JsonObject> readFile() throws IOException {
    Map<String, JsonObject> read = new LinkedHashMap<>();
    if (file.isEmpty()) {
      return read;
    }
    String text = file.get().read();
    try {
      if (!text.isEmpty()) {
        new JsonObject(text).getJsonObject("entries", new JsonObject()).forEach(e -> {
          if (e.getValue() instanceof JsonObject entry) {
            read.put(e.getKey(), entry);
          } else {
            reject(e.getKey(), file.get().path().toString());
          }
        });
      }
    } catch (RuntimeException e) {
      // A torn or foreign file must not stop the daemon: the cluster, or a fresh start, has the rest.
      LOG.warn("shared {}: {} is not readable ({}); starting without it", name, file.get().path(), e.getMessage());
    }
    return read;
  }

  private synchronized void writeFile() throws IOException {
    if (file.isEmpty()) {
      return;
    }
    long oldest = clock.millis() - TOMBSTONES.toMillis();
    entries.entrySet().removeIf(e -> e.getValue().getBoolean(DELETED, false) && at(e.getValue()) < oldest);
    JsonObject all = new JsonObject();
    entries.forEach(all::put);
    file.get().write(new JsonObject().put("entries", all).encode());
  }
}

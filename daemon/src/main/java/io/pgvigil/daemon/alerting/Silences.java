package io.pgvigil.daemon.alerting;

import io.pgvigil.alerts.Alert;
import io.pgvigil.alerts.Silence;
import io.pgvigil.daemon.cluster.SharedMap;
import io.pgvigil.daemon.logging.UntrustedText;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The silences, kept in a {@link SharedMap}: one added or expired through any instance holds back
 * the matching alerts of whichever instance owns the target, and they survive a restart. A silence
 * that ended stays listed for a day, then goes.
 */
public final class Silences {

  private static final Logger LOG = LoggerFactory.getLogger(Silences.class);
  /** How long an ended silence stays listed. */
  static final Duration KEPT = Duration.ofHours(24);

  private final SharedMap map;
  private final Clock clock;

  public Silences(SharedMap map, Clock clock) {
    this.map = map;
    this.clock = clock;
  }

  /** A silence from now until {@code endsAt}; at least one matcher is not null (the caller checks). */
  public Silence add(String target, String rule, String object, Instant endsAt, String comment,
      String createdBy) {
    Silence s =
        new Silence(UUID.randomUUID().toString(), target, rule, object, clock.instant(), endsAt,
            comment, createdBy);
    map.put(s.id(), json(s));
    // Matchers and comment are whatever the API was sent: escaped, so they cannot forge a log line.
    LOG.info("silence {} added until {} by {}: target={} rule={} object={} ({})", s.id(), endsAt,
        UntrustedText.of(String.valueOf(createdBy)), UntrustedText.of(String.valueOf(target)),
        UntrustedText.of(String.valueOf(rule)), UntrustedText.of(String.valueOf(object)),
        UntrustedText.of(comment));
    return s;
  }

  /** Ends an active silence now; empty when no active silence has that id. */
  public Optional<Silence> expire(String id) {
    Instant now = clock.instant();
    Optional<Silence> expired = map.get(id).map(Silences::of).filter(s -> s.active(now))
        .map(s -> s.expiredAt(now));
    expired.ifPresent(s -> {
      map.put(id, json(s));
      LOG.info("silence {} expired", id);
    });
    return expired;
  }

  /** The active silences (ending first first), then those that ended in the last day (latest first). */
  public List<Silence> all() {
    Instant now = clock.instant();
    Instant oldest = now.minus(KEPT);
    List<Silence> kept = readable().filter(s -> s.endsAt().isAfter(oldest)).toList();
    return Stream.concat(
        kept.stream().filter(s -> s.active(now)).sorted(Comparator.comparing(Silence::endsAt)),
        kept.stream().filter(s -> !s.active(now))
            .sorted(Comparator.comparing(Silence::endsAt).reversed()))
        .toList();
  }

  /** The ids of the active silences that match the alert now. */
  public List<String> silencing(Alert alert) {
    Instant now = clock.instant();
    return readable().filter(s -> s.matches(alert, now)).map(Silence::id).sorted().toList();
  }

  /** Whether an active silence matches the alert at {@code at}: the engine's silence check. */
  public boolean silences(Alert alert, Instant at) {
    return readable().anyMatch(s -> s.matches(alert, at));
  }

  /** The silences that parse: a foreign or torn record must not stop alert delivery. */
  private Stream<Silence> readable() {
    return map.values().values().stream().flatMap(json -> {
      try {
        return Stream.of(of(json));
      } catch (RuntimeException e) {
        LOG.warn("a shared silence record is not readable and is ignored: {}", e.getMessage());
        return Stream.empty();
      }
    });
  }

  /** The time silences are judged by. */
  public Instant now() {
    return clock.instant();
  }

  /** Removes the silences that ended more than a day ago, and records that do not parse. */
  public void prune() {
    Instant oldest = clock.instant().minus(KEPT);
    map.values().forEach((id, json) -> {
      boolean ended;
      try {
        ended = !of(json).endsAt().isAfter(oldest);
      } catch (RuntimeException e) {
        ended = true;
      }
      if (ended) {
        map.remove(id);
      }
    });
  }

  /** How instances share a silence. */
  static JsonObject json(Silence s) {
    return new JsonObject().put("id", s.id()).put("target", s.target()).put("rule", s.rule())
        .put("object", s.object()).put("startsAt", s.startsAt().toString())
        .put("endsAt", s.endsAt().toString())
        .put("comment", s.comment()).put("createdBy", s.createdBy());
  }

  static Silence of(JsonObject j) {
    return new Silence(j.getString("id"), j.getString("target"), j.getString("rule"),
        j.getString("object"), Instant.parse(j.getString("startsAt")),
        Instant.parse(j.getString("endsAt")), j.getString("comment"), j.getString("createdBy"));
  }
}

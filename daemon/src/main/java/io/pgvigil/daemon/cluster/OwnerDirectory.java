package io.pgvigil.daemon.cluster;

import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who owns which target, as every instance tells the others: a record per target with the owner's
 * instance name and cluster member id. An owner killed without a word leaves its record behind; a
 * member the cluster no longer has owns nothing.
 */
public final class OwnerDirectory {

  private static final Logger LOG = LoggerFactory.getLogger(OwnerDirectory.class);

  private final Cluster cluster;
  private final SharedMap owners;
  private final Clock clock;
  /** The targets this instance owns, each since when. */
  private final Map<String, Instant> mine = new ConcurrentHashMap<>();

  public OwnerDirectory(Cluster cluster, SharedMap owners, Clock clock) {
    this.cluster = cluster;
    this.owners = owners;
    this.clock = clock;
  }

  /** This instance took or lost a target. */
  public void owned(String target, boolean owned) {
    Optional<JsonObject> current = owners.get(target);
    boolean recordedMine = current.map(r -> cluster.nodeId().equals(r.getString("node"))).orElse(false);
    Instant since = clock.instant();
    if (owned) {
      mine.put(target, since);
    } else {
      mine.remove(target);
    }
    // Losing a target another instance has taken meanwhile must not erase that instance's record;
    // nor may an instance that never owned it (its first heartbeat) write one: the owner's record
    // may not have reached it yet, and the later write would win.
    if (owned || recordedMine) {
      write(target, owned, since);
    }
  }

  /**
   * This instance still owns the target (a heartbeat confirmed its lock): if the record here says
   * otherwise, it is written again. The map keeps the latest write, and a late record from the
   * previous owner ("lost", written before it saw this one's) may carry a later time; without this
   * it would hide the owner until the record next changed. A local read; a write only then.
   */
  public void held(String target) {
    Instant since = mine.get(target);
    boolean recorded = owners.get(target)
        .map(r -> r.getBoolean("owned", false) && cluster.nodeId().equals(r.getString("node"))).orElse(false);
    if (since == null || recorded) {
      return;
    }
    LOG.info("target {}: the shared owner record did not name this instance; written again", target);
    write(target, true, since);
  }

  private void write(String target, boolean owned, Instant since) {
    owners.put(target, new JsonObject().put("instance", cluster.instance()).put("node", cluster.nodeId())
        .put("owned", owned).put("since", since.toString()));
  }

  /** The target's database went away: its record goes with it, when it is this instance's. */
  public void retired(String target) {
    mine.remove(target);
    if (owners.get(target).map(r -> cluster.nodeId().equals(r.getString("node"))).orElse(false)) {
      owners.remove(target);
    }
  }

  /** The instance that owns the target now, if any. */
  public Optional<String> owner(String target) {
    return owners.get(target)
        .filter(r -> r.getBoolean("owned", false) && cluster.alive(r.getString("node", "")))
        .map(r -> r.getString("instance"));
  }

  /**
   * Whether a target's last owner is gone: its record says it lost the target, or names a member the
   * cluster no longer has. (No record at all is a first start, not a takeover.)
   */
  public boolean vacated(String target) {
    return owners.get(target)
        .map(r -> !r.getBoolean("owned", false) || !cluster.alive(r.getString("node", "")))
        .orElse(false);
  }

  /** Whether this instance speaks for a target nobody owns (see {@link Cluster#leader}). */
  public boolean speaksFor(String target, boolean ownedHere) {
    return ownedHere || owner(target).isEmpty() && cluster.leader();
  }

  public String instance() {
    return cluster.instance();
  }
}

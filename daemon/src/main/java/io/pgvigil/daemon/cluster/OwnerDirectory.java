package io.pgvigil.daemon.cluster;

import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.Optional;

/**
 * Who owns which target, as every instance tells the others: a record per target with the owner's
 * instance name and cluster member id. An owner killed without a word leaves its record behind; a
 * member the cluster no longer has owns nothing.
 */
public final class OwnerDirectory {

  private final Cluster cluster;
  private final SharedMap owners;
  private final Clock clock;

  public OwnerDirectory(Cluster cluster, SharedMap owners, Clock clock) {
    this.cluster = cluster;
    this.owners = owners;
    this.clock = clock;
  }

  /** This instance took or lost a target. */
  public void owned(String target, boolean owned) {
    Optional<JsonObject> current = owners.get(target);
    boolean mine = current.map(r -> cluster.nodeId().equals(r.getString("node"))).orElse(false);
    // Losing a target another instance has taken meanwhile must not erase that instance's record;
    // nor may an instance that never owned it (its first heartbeat) write one: the owner's record
    // may not have reached it yet, and the later write would win.
    if (owned || mine) {
      owners.put(target, new JsonObject().put("instance", cluster.instance()).put("node", cluster.nodeId())
          .put("owned", owned).put("since", clock.instant().toString()));
    }
  }

  /** The instance that owns the target now, if any. */
  public Optional<String> owner(String target) {
    return owners.get(target)
        .filter(r -> r.getBoolean("owned", false) && cluster.alive(r.getString("node", "")))
        .map(r -> r.getString("instance"));
  }

  /** Whether this instance speaks for a target nobody owns (see {@link Cluster#leader}). */
  public boolean speaksFor(String target, boolean ownedHere) {
    return ownedHere || owner(target).isEmpty() && cluster.leader();
  }

  public String instance() {
    return cluster.instance();
  }
}

package io.pgvigil.checks.testing;

import io.pgvigil.checks.embedded.EmbeddedPostgres;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A primary and a streaming replica (through a physical slot named after the replica), both with
 * the {@code app} database. Always embedded, Docker or not: replication between containers needs
 * a network, a replication user and pg_hba changes that we cannot test here, and the embedded
 * pair is the same PostgreSQL. Use {@link ReplicaPairExtension} or {@link #start(String)} and close it.
 */
public final class ReplicaPair implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ReplicaPair.class);

  private final EmbeddedTestPostgres primary;
  private final EmbeddedTestPostgres replica;
  private final String replicaName;

  private ReplicaPair(EmbeddedTestPostgres primary, EmbeddedTestPostgres replica, String replicaName) {
    this.primary = primary;
    this.replica = replica;
    this.replicaName = replicaName;
  }

  /** Starts a pair of the {@code -Dpgvigil.test.pg} major; the replica's application_name is {@code replicaName}. */
  public static ReplicaPair start(String replicaName) throws IOException {
    int major = TestServers.major();
    EmbeddedTestPostgres primary = EmbeddedTestPostgres.start(major, "primary");
    try {
      EmbeddedPostgres replica = primary.server().startReplica(replicaName);
      ReplicaPair pair = new ReplicaPair(primary, new EmbeddedTestPostgres(replica), replicaName);
      LOG.info("test PostgreSQL pair: primary {}, replica {} {}", primary, replicaName, pair.replica);
      return pair;
    } catch (IOException | RuntimeException e) {
      primary.close();
      throw e;
    }
  }

  public TestPostgres primary() {
    return primary;
  }

  /** The standby: read-only, {@code pg_is_in_recovery()} is true. */
  public TestPostgres replica() {
    return replica;
  }

  /** The replica's {@code application_name} in the primary's {@code pg_stat_replication}. */
  public String replicaName() {
    return replicaName;
  }

  /** Closes the replica (dropping its slot) and then the primary. */
  @Override
  public void close() {
    try {
      replica.close();
    } finally {
      primary.close();
    }
  }
}

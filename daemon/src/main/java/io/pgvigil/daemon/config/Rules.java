package io.pgvigil.daemon.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Alerting and abort thresholds. A rule missing from the file keeps its default below; a rule
 * that is present is taken exactly as written (omitting {@code abort} means "never abort").
 */
public record Rules(Threshold<Duration> lockWait, Threshold<Integer> lockQueue,
                    Threshold<Duration> replicationLag, Threshold<Duration> ddlRuntime,
                    Threshold<Duration> idleInTransaction) {

    public static final String LOCK_WAIT = "lockWait";
    public static final String LOCK_QUEUE = "lockQueue";
    public static final String REPLICATION_LAG = "replicationLag";
    public static final String DDL_RUNTIME = "ddlRuntime";
    public static final String IDLE_IN_TRANSACTION = "idleInTransaction";
    public static final List<String> NAMES =
            List.of(LOCK_WAIT, LOCK_QUEUE, REPLICATION_LAG, DDL_RUNTIME, IDLE_IN_TRANSACTION);

    public static final Threshold<Duration> DEFAULT_LOCK_WAIT =
            Threshold.of(Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ZERO);
    public static final Threshold<Integer> DEFAULT_LOCK_QUEUE = Threshold.of(5, 20, Duration.ZERO);
    public static final Threshold<Duration> DEFAULT_REPLICATION_LAG =
            Threshold.of(Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(5));
    public static final Threshold<Duration> DEFAULT_DDL_RUNTIME = Threshold.warnOnly(Duration.ofSeconds(60));
    public static final Threshold<Duration> DEFAULT_IDLE_IN_TRANSACTION = Threshold.warnOnly(Duration.ofSeconds(60));

    public static final Rules DEFAULT = new Rules(DEFAULT_LOCK_WAIT, DEFAULT_LOCK_QUEUE,
            DEFAULT_REPLICATION_LAG, DEFAULT_DDL_RUNTIME, DEFAULT_IDLE_IN_TRANSACTION);

    public Rules {
        Objects.requireNonNull(lockWait, "lockWait");
        Objects.requireNonNull(lockQueue, "lockQueue");
        Objects.requireNonNull(replicationLag, "replicationLag");
        Objects.requireNonNull(ddlRuntime, "ddlRuntime");
        Objects.requireNonNull(idleInTransaction, "idleInTransaction");
    }
}

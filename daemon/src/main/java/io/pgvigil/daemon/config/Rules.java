package io.pgvigil.daemon.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Warn and abort thresholds, in two profiles. {@code inWindow} applies while a migration window is
 * open on the target; {@code always} applies outside windows. A rule missing from the file keeps
 * its default; a rule that is present is taken exactly as written (omitting {@code abort} means
 * "never abort"). Unless {@code rules.always} says otherwise, the always profile is the in-window
 * one without its abort levels: outside a window an abort level is never acted on.
 *
 * <p>Every threshold is kept in its rule's canonical unit ({@link Kind#unit()}): seconds, bytes or
 * a count.
 */
public record Rules(Map<Kind, Threshold<Double>> inWindow, Map<Kind, Threshold<Double>> always) {

    public static final String LOCK_WAIT = "lockWait";
    public static final String LOCK_QUEUE = "lockQueue";
    public static final String LOCK_QUEUE_COST = "lockQueueCost";
    public static final String REPLICATION_LAG = "replicationLag";
    public static final String REPLICATION_LAG_BYTES = "replicationLagBytes";
    public static final String STANDBY_GONE = "standbyGone";
    public static final String DDL_RUNTIME = "ddlRuntime";
    public static final String IDLE_IN_TRANSACTION = "idleInTransaction";
    public static final String LONG_WRITE = "longWrite";
    /** The key of the outside-windows profile inside {@code rules:}. */
    public static final String ALWAYS = "always";

    /** The unit a rule's value and thresholds are measured in. */
    public enum Unit { SECONDS, BYTES, COUNT }

    /** Every rule pgvigil knows, with its unit and default thresholds. */
    public enum Kind {
        /** The longest current lock wait. */
        LOCK_WAIT(Rules.LOCK_WAIT, Unit.SECONDS, levels(2.0, 5.0, Duration.ZERO)),
        /** The most sessions queued behind one waiting lock request. */
        LOCK_QUEUE(Rules.LOCK_QUEUE, Unit.COUNT, levels(5.0, 20.0, Duration.ZERO)),
        /** What the worst lock queue has cost so far, in blocked-backend-seconds. */
        LOCK_QUEUE_COST(Rules.LOCK_QUEUE_COST, Unit.SECONDS, levels(30.0, null, Duration.ZERO)),
        /** A replica's replay lag (from the primary) or replay delay (from the replica). */
        REPLICATION_LAG(Rules.REPLICATION_LAG, Unit.SECONDS, levels(10.0, 60.0, Duration.ofSeconds(5))),
        /** A replica's replay lag in bytes of WAL. */
        REPLICATION_LAG_BYTES(Rules.REPLICATION_LAG_BYTES, Unit.BYTES,
                levels(1024.0 * 1024 * 1024, null, Duration.ofSeconds(5))),
        /** The number of configured or previously seen standbys that are gone. */
        STANDBY_GONE(Rules.STANDBY_GONE, Unit.COUNT, levels(1.0, null, Duration.ofSeconds(30))),
        /** The longest-running DDL statement. */
        DDL_RUNTIME(Rules.DDL_RUNTIME, Unit.SECONDS, levels(60.0, null, Duration.ZERO)),
        /** The oldest idle-in-transaction session that blocks another session. */
        IDLE_IN_TRANSACTION(Rules.IDLE_IN_TRANSACTION, Unit.SECONDS, levels(60.0, null, Duration.ZERO)),
        /** The longest-running UPDATE, DELETE or INSERT … SELECT: an unbatched backfill. */
        LONG_WRITE(Rules.LONG_WRITE, Unit.SECONDS, levels(300.0, null, Duration.ZERO));

        private final String yaml;
        private final Unit unit;
        private final Threshold<Double> defaults;

        Kind(String yaml, Unit unit, Threshold<Double> defaults) {
            this.yaml = yaml;
            this.unit = unit;
            this.defaults = defaults;
        }

        public String yaml() {
            return yaml;
        }

        public Unit unit() {
            return unit;
        }

        public Threshold<Double> defaults() {
            return defaults;
        }

        /* In the enum, not in Rules: Rules' static fields read Kind.values(), a cycle if Kind's initialiser touched Rules. */
        private static Threshold<Double> levels(Double warn, Double abort, Duration sustainedFor) {
            return new Threshold<>(Optional.ofNullable(warn), Optional.ofNullable(abort), sustainedFor);
        }

        public static Optional<Kind> fromYaml(String name) {
            return Arrays.stream(values()).filter(k -> k.yaml.equals(name)).findFirst();
        }
    }

    public static final List<String> NAMES = Arrays.stream(Kind.values()).map(Kind::yaml).toList();

    public static final Rules DEFAULT = of(Map.of(), Map.of());

    public Rules {
        inWindow = complete(inWindow, Kind::defaults);
        Map<Kind, Threshold<Double>> window = inWindow;
        always = complete(always, kind -> withoutAbort(window.get(kind)));
    }

    /** Rules from what the file gave; anything missing takes its default. */
    public static Rules of(Map<Kind, Threshold<Double>> inWindow, Map<Kind, Threshold<Double>> always) {
        return new Rules(inWindow, always);
    }

    /** The threshold of {@code kind} in the profile that applies ({@code inWindow} or always). */
    public Threshold<Double> threshold(Kind kind, boolean windowOpen) {
        return (windowOpen ? inWindow : always).get(kind);
    }

    /** The in-window profile's threshold of a rule. */
    public Threshold<Double> inWindow(Kind kind) {
        return inWindow.get(kind);
    }

    private static Map<Kind, Threshold<Double>> complete(Map<Kind, Threshold<Double>> given,
            java.util.function.Function<Kind, Threshold<Double>> fallback) {
        Objects.requireNonNull(given, "profile");
        Map<Kind, Threshold<Double>> all = new LinkedHashMap<>();
        for (Kind kind : Kind.values()) {
            all.put(kind, given.containsKey(kind) ? given.get(kind) : fallback.apply(kind));
        }
        return java.util.Collections.unmodifiableMap(all);
    }

    /** Outside windows by default: warn where the in-window profile warns, or at its abort level. */
    private static Threshold<Double> withoutAbort(Threshold<Double> t) {
        return new Threshold<>(t.warn().or(t::abort), Optional.empty(), t.sustainedFor());
    }

}

package io.pgvigil.daemon.config;

import io.pgvigil.daemon.config.TargetConfig.ReplicaConfig;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Reads a target's {@code review:} block: readFrom, probeTimeout, budgets and throughput. */
final class ReviewReader {

  /** PostgreSQL's statement_timeout counts milliseconds in an int; a probe longer than a minute is no probe. */
  private static final Duration MAX_PROBE_TIMEOUT = Duration.ofMinutes(1);

  private ReviewReader() {}

  static ReviewConfig read(ConfigNode review, List<ReplicaConfig> replicas) {
    if (!review.mapping("readFrom", "probeTimeout", "budgets", "throughput")) {
      return ReviewConfig.DEFAULT;
    }
    ConfigNode readFromNode = review.get("readFrom");
    Optional<String> readFrom = readFromNode.text("a replica's name such as replica-1");
    List<String> names = replicas.stream().map(ReplicaConfig::name).toList();
    if (readFrom.isPresent() && !names.contains(readFrom.get())) {
      readFromNode.problem("'" + readFrom.get() + "' is not a replica of this target"
          + (names.isEmpty() ? "; add it under replicas: [{ name: " + readFrom.get() + ", url: … }]"
              : " (replicas: " + String.join(", ", names) + ")"
                  + ConfigNode.closest(readFrom.get(), names).map(s -> "; did you mean '" + s + "'?").orElse("")));
      readFrom = Optional.empty();
    }
    Duration probeTimeout = review.get("probeTimeout")
        .positiveDurationAtMost(MAX_PROBE_TIMEOUT, "each question must stay short on a live database")
        .orElse(ReviewConfig.DEFAULT_PROBE_TIMEOUT);
    Duration locked = ReviewConfig.DEFAULT_LOCKED;
    long rewriteBytes = ReviewConfig.DEFAULT_REWRITE_BYTES;
    ConfigNode budgets = review.get("budgets");
    if (budgets.mapping("lockedSeconds", "rewriteBytes")) {
      locked = budgets.get("lockedSeconds").positiveDuration().orElse(locked);
      rewriteBytes = budgets.get("rewriteBytes").positiveBytes().orElse(rewriteBytes);
    }
    long throughput = throughput(review.get("throughput")).orElse(ReviewConfig.DEFAULT_THROUGHPUT);
    return new ReviewConfig(readFrom, probeTimeout, locked, rewriteBytes, throughput);
  }

  /** {@code 50MB/s}, or {@code 50MB} (per second). */
  private static Optional<Long> throughput(ConfigNode node) {
    Optional<ConfigNode.Scalar> scalar = node.scalar("a speed such as 50MB/s");
    if (scalar.isEmpty()) {
      return Optional.empty();
    }
    String text = scalar.get().value().trim();
    String bytes = text.toLowerCase(Locale.ROOT).endsWith("/s") ? text.substring(0, text.length() - 2) : text;
    Optional<Long> value = Unit.parseBytes(bytes).filter(n -> n > 0);
    if (value.isEmpty()) {
      node.problem("'" + scalar.get().display() + "' must be a positive speed such as 50MB/s (bytes per second)");
    }
    return value;
  }
}

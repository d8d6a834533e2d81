package io.pgvigil.daemon.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A target's {@code review:} block: read as written, defaults when left out, every problem named. */
class ReviewConfigTest {

  private static final String TARGET = """
      targets:
        - name: app
          url: postgresql://pgvigil@db:5432/app
          replicas: [{ name: replica-1, url: postgresql://pgvigil@replica:5432/app }]
      """;

  @TempDir
  Path dir;

  private ReviewConfig review(String yaml) throws ConfigException {
    return new ConfigLoader(Map.of()).parse(TARGET + yaml, dir, "config.yaml").targets().get(0).review();
  }

  private String problems(String yaml) {
    ConfigException e = catchThrowableOfType(ConfigException.class,
        () -> new ConfigLoader(Map.of()).parse(TARGET + yaml, dir, "config.yaml"));
    assertThat(e).as("expected the config to be rejected").isNotNull();
    return e.getMessage();
  }

  @Test
  void defaultsWhenLeftOut() throws ConfigException {
    assertThat(review("")).isEqualTo(ReviewConfig.DEFAULT);
    assertThat(ReviewConfig.DEFAULT.probeTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(ReviewConfig.DEFAULT.rewriteBytes()).isEqualTo(1L << 30);
  }

  @Test
  void readsEveryKeyAsWritten() throws ConfigException {
    ReviewConfig review = review("    review: { readFrom: replica-1, probeTimeout: 250ms, "
        + "budgets: { lockedSeconds: 10s, rewriteBytes: 64kB }, throughput: 20MB/s }\n");

    assertThat(review).isEqualTo(new ReviewConfig(Optional.of("replica-1"), Duration.ofMillis(250),
        Duration.ofSeconds(10), 64 * 1024, 20L << 20));
  }

  @Test
  void namesAReadFromThatIsNoReplicaOfTheTarget() {
    assertThat(problems("    review: { readFrom: replica-2 }\n")).isEqualTo("targets[0].review.readFrom: "
        + "'replica-2' is not a replica of this target (replicas: replica-1); did you mean 'replica-1'?");
  }

  @Test
  void rejectsAReadFromOnAServerLevelTarget() {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> new ConfigLoader(Map.of()).parse("""
        targets:
          - name: pg
            url: postgresql://pgvigil@db:5432/postgres
            databases: auto
            replicas: [{ name: replica-1, url: postgresql://pgvigil@replica:5432/postgres }]
            review: { readFrom: replica-1 }
        """, dir, "config.yaml"));

    assertThat(e).as("expected the config to be rejected").isNotNull();
    assertThat(e.getMessage()).contains("targets[0].review.readFrom: does not apply to a server-level target");
  }

  @Test
  void reportsEveryBadValueAtOnce() {
    assertThat(problems("    review: { probeTimeout: 5, throughput: fast, budgets: { rewriteBytes: -1, "
        + "lockSeconds: 2s } }\n").lines()).containsExactlyInAnyOrder(
            "targets[0].review.probeTimeout: '5' has no unit; write it as 5s or 5ms (units: d, h, m, s, ms)",
            "targets[0].review.throughput: 'fast' must be a positive speed such as 50MB/s (bytes per second)",
            "targets[0].review.budgets.rewriteBytes: '-1' must be a positive size such as 512MB or 1GiB",
            "targets[0].review.budgets.lockSeconds: unknown key; did you mean 'lockedSeconds'? "
                + "(known keys are lockedSeconds, rewriteBytes)");
  }

  @Test
  void rejectsAnUnknownKey() {
    assertThat(problems("    review: { budget: {} }\n")).startsWith("targets[0].review.budget: unknown key; "
        + "did you mean 'budgets'?");
  }
}

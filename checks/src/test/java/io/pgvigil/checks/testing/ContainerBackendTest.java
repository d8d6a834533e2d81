package io.pgvigil.checks.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgvigil.checks.testing.ContainerBackend.Decision;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ContainerBackendTest {

  private static final List<Integer> MAJORS = List.of(14, 15, 16, 17, 18);

  private static ContainerBackend.Engine engineWith(String... images) {
    Set<String> present = Set.of(images);
    return present::contains;
  }

  @Test
  void usesContainersOnlyForMajorsWithALocalImage() {
    Decision decision =
        ContainerBackend.decide(engineWith("pgvigil-ci/postgres:15", "postgres:17"), MAJORS, true, false);

    assertThat(decision.image(15))
        .hasValueSatisfying(image -> assertThat(image.asCanonicalNameString()).isEqualTo("pgvigil-ci/postgres:15"));
    assertThat(decision.image(17))
        .hasValueSatisfying(image -> assertThat(image.asCanonicalNameString()).isEqualTo("postgres:17"));
    assertThat(decision.image(16)).isEmpty();
    assertThat(decision.describe(MAJORS)).isEqualTo("testcontainers for 15 (pgvigil-ci/postgres:15), "
        + "17 (postgres:17), embedded for 14, 16, 18 (no local image)");
  }

  @Test
  void prefersTheLocallyBuiltImage() {
    Decision decision =
        ContainerBackend.decide(engineWith("pgvigil-ci/postgres:17", "postgres:17"), MAJORS, true, false);

    assertThat(decision.image(17).orElseThrow().asCanonicalNameString()).isEqualTo("pgvigil-ci/postgres:17");
  }

  @Test
  void fallsBackToEmbeddedWhenTheEngineDoesNotAnswer() {
    Decision decision = ContainerBackend.decide(image -> {
      throw new IOException("connection refused");
    }, MAJORS, true, false);

    assertThat(decision.images()).isEmpty();
    assertThat(decision.describe(MAJORS))
        .isEqualTo("embedded for every major (Docker does not answer: connection refused)");
  }

  @Test
  void fallsBackToEmbeddedRatherThanPullTheReaper() {
    Decision decision = ContainerBackend.decide(engineWith("pgvigil-ci/postgres:17"), MAJORS, false, false);

    assertThat(decision.images()).isEmpty();
    assertThat(decision.reason()).contains("TESTCONTAINERS_RYUK_DISABLED", ContainerBackend.RYUK_IMAGE);
  }

  @Test
  void fallsBackToEmbeddedRatherThanPullTheGatewayProbe() {
    Decision decision = ContainerBackend.decide(engineWith("pgvigil-ci/postgres:17"), MAJORS, true, true);

    assertThat(decision.images()).isEmpty();
    assertThat(decision.reason()).contains("TESTCONTAINERS_HOST_OVERRIDE", ContainerBackend.GATEWAY_PROBE_IMAGE);
  }

  @Test
  void usesTheReaperWhenItsImageIsPresent() {
    Decision decision = ContainerBackend.decide(
        engineWith(ContainerBackend.RYUK_IMAGE, "pgvigil-ci/postgres:17"), MAJORS, false, false);

    assertThat(decision.image(17)).isPresent();
  }

  @Test
  void waitsForTheImagesOnlyWhenAskedToInWholeSeconds() {
    assertThat(ContainerBackend.waitSeconds(null)).isZero();
    assertThat(ContainerBackend.waitSeconds(" 120 ")).isEqualTo(120);
    assertThat(ContainerBackend.waitSeconds("ten minutes")).isZero();
    assertThat(ContainerBackend.waitSeconds("-5")).isZero();
  }
}

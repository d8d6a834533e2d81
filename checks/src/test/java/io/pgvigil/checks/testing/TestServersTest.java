package io.pgvigil.checks.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TestServersTest {

  private final String original = System.getProperty(TestServers.MAJOR_PROPERTY);

  @AfterEach
  void restore() {
    if (original == null) {
      System.clearProperty(TestServers.MAJOR_PROPERTY);
    } else {
      System.setProperty(TestServers.MAJOR_PROPERTY, original);
    }
  }

  @Test
  void defaultsTo17() {
    System.clearProperty(TestServers.MAJOR_PROPERTY);
    assertThat(TestServers.major()).isEqualTo(17);
  }

  @Test
  void rejectsAnUnsupportedMajorClearly() {
    System.setProperty(TestServers.MAJOR_PROPERTY, "13");
    assertThatThrownBy(TestServers::major)
        .hasMessage("system property pgvigil.test.pg must be one of [14, 15, 16, 17, 18] but was '13'");
  }
}

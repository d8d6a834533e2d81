package io.pgvigil.checks.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SessionSafetyTest {

  @Test
  void historySessionsAreReadOnlyAndBoundedThroughPgjdbcOptions() {
    assertThat(SessionSafety.HISTORY.jdbcOptions()).isEqualTo("-c statement_timeout=10000 -c lock_timeout=2000"
        + " -c idle_in_transaction_session_timeout=30000 -c default_transaction_read_only=on");
  }

  @Test
  void pollSessionsNameThemselvesAndUseTheProbeTimeoutForStatementsAndLocks() {
    assertThat(SessionSafety.poll(Duration.ofMillis(500)).startupParameters()).isEqualTo(Map.of(
        "application_name", "pgvigil", "statement_timeout", "500", "lock_timeout", "500"));
  }
}

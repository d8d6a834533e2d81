package io.pgvigil.checks.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgvigil.checks.testing.Backends.Backend;
import java.time.Duration;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class ServerLogIT {

  @Test
  void seesACancelForTheCancelledBackendOnlyAndNothingFromBeforeTheMark(TestPostgres pg) throws Exception {
    ServerLog before = ServerLog.mark(pg);
    try (Backends backends = new Backends(pg)) {
      Backend sleeper = backends.open("sleeper", true);
      Backend other = backends.open("other", true);
      Future<?> sleeping = backends.start(sleeper, "SELECT pg_sleep(60)");
      await().atMost(Duration.ofSeconds(10)).until(() -> "active".equals(backends.state(sleeper.pid())));
      Sql.query(pg, "SELECT pg_cancel_backend(" + sleeper.pid() + ")::text");
      await().atMost(Duration.ofSeconds(10)).until(sleeping::isDone);
      await().atMost(Duration.ofSeconds(10)).until(() -> before.count(ServerLog.CANCEL, sleeper.pid()) == 1);
      ServerLog after = ServerLog.mark(pg);

      assertThat(before.count(ServerLog.CANCEL)).isEqualTo(1);
      assertThat(before.count(ServerLog.CANCEL, other.pid())).isZero();
      assertThat(after.count(ServerLog.CANCEL)).isZero();
    }
  }
}

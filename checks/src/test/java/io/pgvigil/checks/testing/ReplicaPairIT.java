package io.pgvigil.checks.testing;

import static io.pgvigil.checks.testing.Sql.execute;
import static io.pgvigil.checks.testing.Sql.query;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(ReplicaPairExtension.class)
class ReplicaPairIT {

  @Test
  void replicaStreamsFromThePrimary(ReplicaPair pair) throws Exception {
    assertThat(pair.replicaName()).isEqualTo("replica-1");
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(query(pair.primary(),
        "SELECT state FROM pg_stat_replication WHERE application_name = '" + pair.replicaName() + "'"))
        .isEqualTo("streaming"));
    assertThat(query(pair.replica(), "SELECT pg_is_in_recovery()::text")).isEqualTo("true");
    assertThat(query(pair.primary(), "SELECT pg_is_in_recovery()::text")).isEqualTo("false");
  }

  @Test
  void rowInsertedOnThePrimaryBecomesVisibleOnTheReplica(ReplicaPair pair) throws Exception {
    execute(pair.primary(), "CREATE TABLE greeting (text text); INSERT INTO greeting VALUES ('hello')");
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
        .untilAsserted(() -> assertThat(query(pair.replica(), "SELECT text FROM greeting")).isEqualTo("hello"));
    assertThat(pair.replica().database()).isEqualTo(pair.primary().database()).isEqualTo("app");
  }

  @Test
  void replicaIsReadOnly(ReplicaPair pair) {
    assertThatThrownBy(() -> execute(pair.replica(), "CREATE TABLE nope (id int)"))
        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("25006"));
  }
}

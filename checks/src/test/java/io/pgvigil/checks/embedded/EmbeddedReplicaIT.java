package io.pgvigil.checks.embedded;

import static io.pgvigil.checks.embedded.EmbeddedPostgresIT.execute;
import static io.pgvigil.checks.embedded.EmbeddedPostgresIT.query;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class EmbeddedReplicaIT {

  private static final int MAJOR = Integer.getInteger("pgvigil.test.pg", 17);

  @Test
  void replicaStreamsFromItsSlotAndDropsItOnClose() throws Exception {
    try (EmbeddedPostgres primary = EmbeddedPostgres.builder().major(MAJOR).name("primary")
        .binariesCache(Path.of(System.getProperty("java.io.tmpdir"), "pgvigil-postgres")).start()) {
      Path replicaData;
      try (EmbeddedPostgres replica = primary.startReplica("replica-1")) {
        replicaData = replica.dataDirectory();
        assertThat(replica.port()).isNotEqualTo(primary.port());
        assertThat(query(replica, "SELECT pg_is_in_recovery()::text")).isEqualTo("true");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(query(primary,
            "SELECT state FROM pg_stat_replication WHERE application_name = 'replica-1'")).isEqualTo("streaming"));
        assertThat(query(primary, "SELECT active::text FROM pg_replication_slots WHERE slot_name = 'replica_1'"))
            .isEqualTo("true");
        execute(primary, "CREATE TABLE t (v text); INSERT INTO t VALUES ('hello')");
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
            .untilAsserted(() -> assertThat(query(replica, "SELECT v FROM t")).isEqualTo("hello"));
      }
      assertThat(replicaData).doesNotExist();
      assertThat(query(primary, "SELECT count(*)::text FROM pg_replication_slots")).isEqualTo("0");
    }
  }
}

package io.pgvigil.alerts;

import static io.pgvigil.alerts.Fixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgvigil.alerts.testing.Receiver;
import io.pgvigil.common.SecretValue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolTest {

  @TempDir
  Path dir;

  private static Notification notification(long seq, String object) {
    return new Notification(seq, "id-" + seq, "webhook", Instant.parse("2025-03-01T12:00:00Z"),
        List.of(Fixture.lockAlert("app", object, Severity.ERROR,
            Instant.parse("2025-03-01T11:59:00Z"))));
  }

  /** A queue spooling to {@code dir} for one webhook sink posting to {@code receiver}. */
  private DeliveryQueue webhookQueue(Fixture fx, int maxPerSink, Receiver receiver) throws Exception {
    return fx.queue(dir, maxPerSink, new WebhookSink("webhook", fx.client, fx.clock,
        SecretValue.of(receiver.url()), null, Duration.ofSeconds(2)));
  }

  /** The webhook's spool directory replaced by a file: it refuses every write, even to root (chmod would not). */
  private Path spoolDirReplacedByAFile() throws IOException {
    Path sinkDir = dir.resolve("webhook");
    Files.delete(sinkDir);
    Files.writeString(sinkDir, "not a directory");
    return sinkDir;
  }

  @Test
  void roundTripsNotificationsInSeqOrder() throws Exception {
    Spool spool = new Spool(dir, 10);
    spool.write(notification(12, "b"));
    spool.write(notification(3, "a"));
    List<Notification> loaded = new Spool(dir, 10).load("webhook");
    assertThat(loaded).containsExactly(notification(3, "a"), notification(12, "b"));
  }

  @Test
  void ignoresWhatACrashLeftHalfWrittenAndQuarantinesCorruptFiles() throws Exception {
    Spool spool = new Spool(dir, 10);
    spool.write(notification(1, "a"));
    spool.write(notification(2, "b"));
    Path sinkDir = dir.resolve("webhook");
    Files.writeString(sinkDir.resolve(".tmp-00000000000000000003.ntf"), "pgvigil-spool 1 0\n{");
    Path second = sinkDir.resolve("00000000000000000002.ntf");
    Files.writeString(second, Files.readString(second).replace("\"b\"", "\"x\""),
        StandardCharsets.UTF_8); // a flipped byte: checksum no longer matches

    Spool restarted = new Spool(dir, 10);
    assertThat(restarted.load("webhook")).containsExactly(notification(1, "a"));
    assertThat(sinkDir.resolve(".tmp-00000000000000000003.ntf")).doesNotExist();
    assertThat(sinkDir.resolve("00000000000000000002.ntf.corrupt")).exists();
    assertThat(restarted.nextSeq()).isEqualTo(2);
  }

  @Test
  void aRestartWithANonEmptySpoolResendsInOrder() throws Exception {
    List<String> ids = new ArrayList<>();
    try (Fixture fx = new Fixture();
        Receiver down = Receiver.start(fx.vertx, fx.clock,
            r -> Receiver.Answer.of(500, "{}"))) {
      DeliveryQueue queue = webhookQueue(fx, 100, down);
      for (int i = 0; i < 5; i++) {
        ids.add(await(queue.enqueue("webhook", List.of(Fixture.lockAlert("app", "t" + i,
            Severity.ERROR, fx.clock.instant())))).id());
      }
      await().until(() -> fx.count(DeliveryResult.RETRIED) >= 1);
      await(queue.close());
    }
    try (Fixture fx = new Fixture();
        Receiver up = Receiver.start(fx.vertx, fx.clock, r -> Receiver.Answer.of(200, "{}"))) {
      DeliveryQueue queue = webhookQueue(fx, 100, up);
      await().until(() -> up.accepted().size() == 5);
      assertThat(up.accepted()).extracting(r -> r.json().getString("notificationId"))
          .containsExactlyElementsOf(ids);
      await().until(() -> queue.spoolDepth("webhook") == 0);
      await(queue.close());
      assertThat(new Spool(dir, 100).load("webhook")).isEmpty();
    }
  }

  @Test
  void aFullSpoolDropsTheOldestAndCountsIt() throws Exception {
    try (Fixture fx = new Fixture();
        Receiver down = Receiver.start(fx.vertx, fx.clock,
            r -> Receiver.Answer.of(503, "{}"))) {
      DeliveryQueue queue = webhookQueue(fx, 3, down);
      await(queue.enqueue("webhook", List.of(Fixture.lockAlert("app", "t0", Severity.ERROR,
          fx.clock.instant()))));
      await().until(() -> fx.count(DeliveryResult.RETRIED) == 1); // now nothing is in flight
      for (int i = 1; i < 5; i++) {
        await(queue.enqueue("webhook", List.of(Fixture.lockAlert("app", "t" + i,
            Severity.ERROR, fx.clock.instant()))));
      }
      assertThat(fx.count(DeliveryResult.DROPPED)).isEqualTo(2);
      assertThat(queue.spoolDepth("webhook")).isEqualTo(3);
      await(queue.close());
      assertThat(new Spool(dir, 3).load("webhook")).extracting(n -> n.alerts().get(0).object())
          .containsExactly("t2", "t3", "t4");
    }
  }

  @Test
  void writesNotificationsOwnerOnlyInADirectoryItCreatesOwnerOnly() throws Exception {
    Path spoolDir = dir.resolve("data").resolve("spool");
    new Spool(spoolDir, 10).write(notification(1, "a"));

    Path file = spoolDir.resolve("webhook").resolve("00000000000000000001.ntf");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(spoolDir)))
        .isEqualTo("rwx------");
    assertThat(PosixFilePermissions.toString(
        Files.getPosixFilePermissions(spoolDir.resolve("webhook")))).isEqualTo("rwx------");
    try (var entries = Files.list(spoolDir.resolve("webhook"))) {
      assertThat(entries).extracting(p -> p.getFileName().toString())
          .containsExactly("00000000000000000001.ntf"); // no temp file left beside it
    }
  }

  @Test
  void movesAsideEntriesThatAreNotUtf8OrNotFilesAndLoadsTheRest() throws Exception {
    Spool spool = new Spool(dir, 10);
    spool.write(notification(1, "a"));
    spool.write(notification(4, "d"));
    Path sinkDir = dir.resolve("webhook");
    Files.write(sinkDir.resolve("00000000000000000002.ntf"),
        new byte[] {'p', 'g', (byte) 0xC3, (byte) 0x28, (byte) 0xFF, '\n'});
    Files.createDirectories(sinkDir.resolve("00000000000000000003.ntf").resolve("inside"));
    Files.createDirectory(sinkDir.resolve(".tmp-00000000000000000005.ntf"));

    Spool restarted = new Spool(dir, 10);
    assertThat(restarted.load("webhook")).containsExactly(notification(1, "a"),
        notification(4, "d"));
    assertThat(sinkDir.resolve("00000000000000000002.ntf.corrupt")).isRegularFile();
    assertThat(sinkDir.resolve("00000000000000000003.ntf.corrupt")).isDirectory();
    assertThat(sinkDir.resolve(".tmp-00000000000000000005.ntf.corrupt")).isDirectory();
    assertThat(new Spool(dir, 10).load("webhook")).hasSize(2); // and the next start is quiet
  }

  @Test
  void aNotificationTheSpoolCannotTakeIsKeptInMemoryCountedSentAndSpooledOnceTheDiskRecovers()
      throws Exception {
    try (Fixture fx = new Fixture();
        Receiver sink = Receiver.start(fx.vertx, fx.clock, r -> Receiver.Answer.of(503, "{}"))) {
      DeliveryQueue queue = webhookQueue(fx, 10, sink);
      Path sinkDir = spoolDirReplacedByAFile();

      Notification n = await(queue.enqueue("webhook", List.of(Fixture.lockAlert("app", "t0",
          Severity.CRITICAL, fx.clock.instant()))));

      assertThat(fx.count(DeliveryResult.SPOOL_FAILED)).isEqualTo(1);
      assertThat(queue.spoolDepth("webhook")).as("undelivered, kept in memory").isEqualTo(1);
      await().until(() -> fx.count(DeliveryResult.RETRIED) >= 1); // sent from memory

      Files.delete(sinkDir);
      fx.clock.advance(DeliveryQueue.SPOOL_RETRY);
      await().until(() -> new Spool(dir, 10).load("webhook").contains(n));

      sink.answer(r -> Receiver.Answer.of(200, "{}"));
      fx.clock.advance(Duration.ofMinutes(1));
      await().until(() -> sink.accepted().size() == 1);
      await().until(() -> queue.spoolDepth("webhook") == 0);
      await(queue.close());
      assertThat(new Spool(dir, 10).load("webhook")).isEmpty();
      assertThat(fx.count(DeliveryResult.SPOOL_FAILED)).isEqualTo(1);
    }
  }

  @Test
  void withTheDiskFullAndTheSinkUpEveryNotificationIsDeliveredAndNoneLeftBehind()
      throws Exception {
    try (Fixture fx = new Fixture();
        Receiver sink = Receiver.start(fx.vertx, fx.clock, r -> Receiver.Answer.of(200, "{}"))) {
      DeliveryQueue queue = webhookQueue(fx, 10, sink);
      Path sinkDir = spoolDirReplacedByAFile();

      for (int i = 0; i < 3; i++) {
        await(queue.enqueue("webhook", List.of(Fixture.lockAlert("app", "t" + i,
            Severity.ERROR, fx.clock.instant()))));
      }

      await().until(() -> sink.accepted().size() == 3);
      await().until(() -> queue.spoolDepth("webhook") == 0);
      assertThat(fx.count(DeliveryResult.SPOOL_FAILED)).isEqualTo(3);
      assertThat(fx.count(DeliveryResult.SENT)).isEqualTo(3);
      Files.delete(sinkDir);
      fx.clock.advance(DeliveryQueue.SPOOL_RETRY);
      queue.pumpAll();
      await(queue.close());
      assertThat(new Spool(dir, 10).load("webhook")).as("nothing delivered comes back").isEmpty();
    }
  }
}

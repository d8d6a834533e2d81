package io.pgvigil.daemon.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgvigil.checks.history.HistoryReport;
import io.pgvigil.checks.history.MigrationSource;
import io.pgvigil.checks.history.MigrationTool;
import io.pgvigil.checks.schema.CatalogSnapshotter;
import io.pgvigil.checks.schema.ObjectKind;
import io.pgvigil.checks.schema.ObjectRef;
import io.pgvigil.checks.schema.SnapshotOptions;
import io.pgvigil.checks.shadow.ExpectedSchemaCache;
import io.pgvigil.checks.testing.TestServers;
import io.pgvigil.daemon.config.DatabaseUrl;
import io.pgvigil.daemon.runtime.TestStorage;
import io.pgvigil.daemon.tls.TlsServer;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The expected schema built on a url shadow that requires TLS, without blocking the target's event loop. */
class ShadowTlsIT {

  @TempDir
  Path dir;

  @Test
  void aSlowCertificateFileNeverStallsTheEventLoopThatStartsTheSnapshot() throws Exception {
    Path migrations = Files.createDirectories(dir.resolve("db/migration"));
    Files.writeString(migrations.resolve("V1__t.sql"), "CREATE TABLE t (id int);\n");
    Path rootCert = dir.resolve("root.crt");
    assertThat(new ProcessBuilder("mkfifo", rootCert.toString()).start().waitFor()).isZero();
    Vertx vertx = Vertx.vertx();
    try (TlsServer server = TlsServer.start();
        SlowFile slow = new SlowFile(rootCert,
            Files.readString(server.rootCert()))) {
      DatabaseUrl url = DatabaseUrl.parse("postgresql://" + TlsServer.TLS_USER + "@localhost:" + server.port()
          + "/postgres?sslmode=verify-full&sslrootcert=" + rootCert);
      ExpectedSchemas expected = new ExpectedSchemas(
          new ShadowSettings(Optional.of(HistorySources.database(url)), url.tls(), TestStorage.storage()),
          new CatalogSnapshotter(SnapshotOptions.defaults()), SnapshotOptions.defaults().contentKey(),
          new ExpectedSchemaCache<>(1));
      slow.gate(); // from now on every read of the certificate waits until the event loop has answered

      Context eventLoop = vertx.getOrCreateContext();
      CompletableFuture<ExpectedSchemas.Expected> built = new CompletableFuture<>();
      eventLoop.runOnContext(v -> expected.of(vertx, "app", TestServers.major(),
          new MigrationSource.Flyway(List.of(migrations), "flyway_schema_history",
              List.of("public"), false),
          new HistoryReport(MigrationTool.FLYWAY, "public.flyway_schema_history", 1, 0, Optional.empty(),
              List.of(), List.of("V1__t.sql"), List.of(), Instant.now()))
          .onComplete(r -> {
            if (r.succeeded()) {
              built.complete(r.result());
            } else {
              built.completeExceptionally(r.cause());
            }
          }));
      int reads = 0;
      while (!built.isDone()) {
        await().atMost(Duration.ofSeconds(60)).until(() -> slow.readerWaiting() || built.isDone());
        if (slow.readerWaiting()) {
          CompletableFuture<Void> answered = new CompletableFuture<>();
          eventLoop.runOnContext(v -> answered.complete(null));
          try {
            await("the event loop answers while the certificate is read").atMost(Duration.ofSeconds(5))
                .until(answered::isDone);
          } finally {
            slow.release();
          }
          reads++;
        }
      }

      assertThat(built.get(0, TimeUnit.SECONDS).snapshot().get(new ObjectRef(ObjectKind.TABLE, "public.t")))
          .isPresent();
      assertThat(reads).as("the replay's JDBC connections read the certificate, on worker threads").isPositive();
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /**
   * A named pipe that hands out a PEM to each reader, as a slow volume would: once gated, a reader
   * gets it only after the test released it.
   */
  private static final class SlowFile implements AutoCloseable {
    private final Path fifo;
    private final byte[] content;
    private final AtomicBoolean gated = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Semaphore waiting = new Semaphore(0);
    private final Semaphore released = new Semaphore(0);
    private final Thread feeder;

    SlowFile(Path fifo, String content) {
      this.fifo = fifo;
      this.content = content.getBytes(StandardCharsets.US_ASCII);
      this.feeder = new Thread(this::feed, "slow-file");
      feeder.setDaemon(true);
      feeder.start();
    }

    private void feed() {
      while (!closed.get()) {
        try (OutputStream out = Files.newOutputStream(fifo)) { // returns once a reader opened it
          if (gated.get() && !closed.get()) {
            waiting.release();
            released.acquire();
          }
          out.write(content);
        } catch (Exception e) {
          // a reader that went away, or closing
        }
      }
    }

    void gate() {
      gated.set(true);
    }

    boolean readerWaiting() {
      return waiting.availablePermits() > 0;
    }

    void release() throws InterruptedException {
      waiting.acquire();
      released.release();
    }

    @Override
    public void close() throws Exception {
      closed.set(true);
      released.release(); // a reader waiting at the gate
      // The feeder waiting for a reader: on Linux a read-write open of a FIFO never blocks itself.
      new RandomAccessFile(fifo.toFile(), "rw").close();
      feeder.join(TimeUnit.SECONDS.toMillis(10));
    }
  }
}

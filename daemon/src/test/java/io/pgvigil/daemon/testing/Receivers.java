package io.pgvigil.daemon.testing;

import io.pgvigil.alerts.testing.Receiver;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The alert receivers of one test (real HTTP servers on loopback, see {@link Receiver}) on a Vert.x
 * of their own; {@link #close()} closes them all.
 */
public final class Receivers implements AutoCloseable {

  private final Vertx vertx = Vertx.vertx();
  private final List<Receiver> started = new ArrayList<>();

  /** A stand-in for PagerDuty's Events API: answers 202. */
  public Receiver pagerduty() throws Exception {
    return start(202);
  }

  /** A stand-in for a Slack incoming webhook or a generic webhook: answers 200. */
  public Receiver webhook() throws Exception {
    return start(200);
  }

  public Receiver start(int status) throws Exception {
    Receiver receiver = Receiver.start(vertx, status);
    started.add(receiver);
    return receiver;
  }

  @Override
  public void close() throws Exception {
    try {
      for (Receiver receiver : started) {
        receiver.close();
      }
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}

package io.pgvigil.daemon.cli;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.concurrent.CountDownLatch;
import sun.misc.Signal;

/**
 * Waits for SIGTERM (Kubernetes stopping the pod) or SIGINT (Ctrl-C).
 *
 * <p>Why not a shutdown hook: the JVM exits with 143 after SIGTERM whatever a hook does, and the CLI promises exit code
 * 0 on a clean shutdown. Handling the signal ourselves lets the command stop the daemon and return 0. Install it before
 * anything slow, so a signal during startup is honoured too.
 */
final class ShutdownSignal {

  private final CountDownLatch received = new CountDownLatch(1);
  private final Promise<String> arrived = Promise.promise();
  private volatile String name;

  ShutdownSignal() {
    for (String signal : new String[] {"TERM", "INT"}) {
      Signal.handle(new Signal(signal), s -> {
        name = "SIG" + s.getName();
        received.countDown();
        arrived.tryComplete(name);
      });
    }
  }

  /** Blocks until a signal arrives and returns its name. */
  String await() throws InterruptedException {
    received.await();
    return name;
  }

  /** Completes with the signal's name when one arrives. */
  Future<String> received() {
    return arrived.future();
  }
}

package io.pgvigil.daemon.cli;

import java.util.concurrent.CountDownLatch;
import sun.misc.Signal;

/**
 * Waits for SIGTERM (Kubernetes stopping the pod) or SIGINT (Ctrl-C).
 *
 * <p>Why not a shutdown hook: the JVM exits with 143 after SIGTERM whatever a
 * hook does, and the CLI promises exit code 0 on a clean shutdown. Handling the
 * signal ourselves lets the command stop the daemon and return 0.
 */
final class ShutdownSignal {

  private final CountDownLatch received = new CountDownLatch(1);
  private volatile String name;

  ShutdownSignal() {
    for (String signal : new String[] {"TERM", "INT"}) {
      Signal.handle(new Signal(signal), s -> {
        name = "SIG" + s.getName();
        received.countDown();
      });
    }
  }

  /** Blocks until a signal arrives and returns its name. */
  String await() throws InterruptedException {
    received.await();
    return name;
  }
}

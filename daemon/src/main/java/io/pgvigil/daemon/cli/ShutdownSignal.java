package io.pgvigil.daemon.cli;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import sun.misc.Signal;

/**
 * Waits for SIGTERM (Kubernetes stopping the pod) or SIGINT (Ctrl-C).
 *
 * <p>Why not a shutdown hook: the JVM exits with 143 after SIGTERM whatever a hook does, and the CLI promises exit code
 * 0 on a clean shutdown. Handling the signal ourselves lets the command stop the daemon and return 0. Install it before
 * anything slow, so a signal during startup is honoured too.
 */
final class ShutdownSignal {

  private final Promise<String> arrived = Promise.promise();

  ShutdownSignal() {
    for (String signal : new String[] {"TERM", "INT"}) {
      Signal.handle(new Signal(signal), s -> arrived.tryComplete("SIG" + s.getName()));
    }
  }

  Future<String> received() {
    return arrived.future();
  }
}

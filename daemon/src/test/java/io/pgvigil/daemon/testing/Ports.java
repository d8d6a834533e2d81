package io.pgvigil.daemon.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/** Free TCP ports for the HTTP and cluster listeners of the instances a test starts. */
public final class Ports {

  private Ports() {}

  /** A port free now (another process may take it before the test binds it: rare enough on loopback). */
  public static int free() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

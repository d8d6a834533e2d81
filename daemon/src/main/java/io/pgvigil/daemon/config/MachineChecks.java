package io.pgvigil.daemon.config;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * What {@code run} needs from this machine (a local listen address, a writable alert spool), checked with the config
 * so {@code check-config} fails on what would stop {@code run}. One-shot commands serve and spool nothing: no checks.
 */
public final class MachineChecks {

  private final Path defaultSpool;

  public MachineChecks(Path defaultSpool) {
    this.defaultSpool = defaultSpool;
  }

  void listen(ConfigNode node, ServerConfig server) {
    String host = server.listenHost();
    try {
      InetAddress address = InetAddress.getByName(host);
      if (!address.isAnyLocalAddress() && NetworkInterface.getByInetAddress(address) == null) {
        node.problem("'" + host + "' (" + address.getHostAddress() + ") is not an address of this machine; "
            + "give one of its addresses, or 0.0.0.0 to listen on every interface");
      }
    } catch (UnknownHostException e) {
      node.problem("host '" + host + "' does not resolve on this machine; give one of its addresses, "
          + "or 0.0.0.0 to listen on every interface");
    } catch (SocketException e) {
      // The interfaces cannot be listed here; binding will tell.
    }
  }

  /** The spool is used when a sink is configured; a directory given explicitly is checked anyway. */
  void spool(ConfigNode directoryNode, AlertsConfig alerts) {
    Optional<Path> given = alerts.spool().directory();
    if (given.isEmpty() && !alerts.anySink()) {
      return;
    }
    Path directory = given.orElse(defaultSpool);
    unusable(directory).ifPresent(reason -> directoryNode.problem(given.isPresent()
        ? "'" + directory + "' cannot hold the alert spool: " + reason + "; give a writable directory"
        : "the default alert spool " + directory + " cannot be used: " + reason
            + "; set alerts.spool.directory or PGVIGIL_DATA_DIR to a writable directory"));
  }

  /**
   * Why the spool (a directory per sink) cannot live in {@code directory}: tried by making one in its nearest existing
   * ancestor. Asking the file system beats reading permission bits: {@code /proc/self} looks writable to root.
   */
  static Optional<String> unusable(Path directory) {
    Path existing = directory.toAbsolutePath();
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return Optional.of("none of its parents exists");
    }
    if (!Files.isDirectory(existing)) {
      return Optional.of(existing + " is not a directory");
    }
    try {
      Files.delete(Files.createTempDirectory(existing, ".pgvigil-spool-check-"));
      return Optional.empty();
    } catch (IOException | SecurityException e) {
      return Optional.of("a directory cannot be made in " + existing + " (" + why(e) + ")");
    }
  }

  /** In words, not an exception's name: {@code /proc/self} fails with a bare "no such file". */
  private static String why(Exception e) {
    if (e instanceof AccessDeniedException || e instanceof SecurityException) {
      return "permission denied";
    }
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason().toLowerCase(Locale.ROOT);
    }
    return "the file system refused it";
  }
}

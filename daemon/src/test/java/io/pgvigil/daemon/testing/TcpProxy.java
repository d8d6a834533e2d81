package io.pgvigil.daemon.testing;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A TCP forwarder on 127.0.0.1 in front of a server (PostgreSQL), that a test turns into a network
 * fault:
 *
 * <ul>
 *   <li>{@link #blackhole()}: a partition. Nothing is forwarded any more, either way, on open or new
 *       connections, and no socket is closed: each side waits until its own timeouts give up.
 *   <li>{@link #refuse()}: the server is gone. Every connection is closed, new ones at once.
 *   <li>{@link #holdNew()}: a slow network for new connections. What their clients send is kept
 *       until {@link #flush()}; open connections are not touched.
 *   <li>{@link #forward()}: back to normal for new connections.
 * </ul>
 *
 * <pre>{@code
 * try (TcpProxy proxy = TcpProxy.start(vertx, pg.host(), pg.port())) { ... proxy.port() ... }
 * }</pre>
 */
public final class TcpProxy implements AutoCloseable {

  private enum Mode { FORWARD, HOLD, BLACKHOLE, REFUSE }

  /** One client connection and its upstream; guarded by itself. */
  private static final class Link {
    final NetSocket client;
    NetSocket server;
    Mode mode;
    final List<Buffer> held = new ArrayList<>();

    Link(NetSocket client, Mode mode) {
      this.client = client;
      this.mode = mode;
    }
  }

  private final NetServer server;
  private final NetClient upstream;
  private final List<Link> links = new CopyOnWriteArrayList<>();
  private volatile Mode mode = Mode.FORWARD;

  private TcpProxy(NetServer server, NetClient upstream) {
    this.server = server;
    this.upstream = upstream;
  }

  /** Listens on a free port. */
  public static TcpProxy start(Vertx vertx, String host, int port) throws Exception {
    return start(vertx, host, port, 0);
  }

  /** Listens on {@code listenPort} (0: a free one), forwarding to {@code host:port}. */
  public static TcpProxy start(Vertx vertx, String host, int port, int listenPort) throws Exception {
    NetClient client = vertx.createNetClient(new NetClientOptions().setConnectTimeout(5000));
    NetServer server = vertx.createNetServer();
    TcpProxy proxy = new TcpProxy(server, client);
    server.connectHandler(socket -> proxy.accept(socket, host, port));
    server.listen(listenPort, "127.0.0.1").await(10, TimeUnit.SECONDS);
    return proxy;
  }

  public int port() {
    return server.actualPort();
  }

  /** Forwards nothing more, closes nothing. */
  public void blackhole() {
    mode = Mode.BLACKHOLE;
    links.forEach(l -> {
      synchronized (l) {
        l.mode = Mode.BLACKHOLE;
        l.held.clear();
      }
    });
  }

  /** Closes every connection, and closes new ones at once. */
  public void refuse() {
    mode = Mode.REFUSE;
    links.forEach(l -> {
      synchronized (l) {
        l.mode = Mode.REFUSE;
      }
      l.client.close();
      if (l.server != null) {
        l.server.close();
      }
    });
    links.clear();
  }

  /** New connections are forwarded again (open ones keep what they were given). */
  public void forward() {
    mode = Mode.FORWARD;
  }

  /** New connections are accepted, and what their clients send is kept until {@link #flush}. */
  public void holdNew() {
    mode = Mode.HOLD;
  }

  /** How many connections have sent something that is being held. */
  public int holding() {
    return (int) links.stream().filter(l -> {
      synchronized (l) {
        return l.mode == Mode.HOLD && !l.held.isEmpty();
      }
    }).count();
  }

  /** Sends what was held, and forwards from now on (new connections too). */
  public void flush() {
    mode = Mode.FORWARD;
    links.forEach(l -> {
      synchronized (l) {
        if (l.mode == Mode.HOLD) {
          l.held.forEach(l.server::write);
          l.held.clear();
          l.mode = Mode.FORWARD;
        }
      }
    });
  }

  @Override
  public void close() throws Exception {
    refuse();
    server.close().await(10, TimeUnit.SECONDS);
    upstream.close().await(10, TimeUnit.SECONDS);
  }

  private void accept(NetSocket client, String host, int port) {
    Mode now = mode;
    if (now == Mode.REFUSE) {
      client.close();
      return;
    }
    Link link = new Link(client, now);
    links.add(link);
    if (now == Mode.BLACKHOLE) {
      client.handler(b -> {}); // accepted, never answered
      return;
    }
    client.pause();
    upstream.connect(port, host).onSuccess(s -> {
      synchronized (link) {
        link.server = s;
      }
      client.handler(b -> {
        synchronized (link) {
          switch (link.mode) {
            case FORWARD -> s.write(b);
            case HOLD -> link.held.add(b);
            default -> {
            }
          }
        }
      });
      s.handler(b -> {
        synchronized (link) {
          if (link.mode == Mode.FORWARD || link.mode == Mode.HOLD) {
            client.write(b);
          }
        }
      });
      client.closeHandler(v -> {
        if (passesClose(link)) {
          s.close();
        }
      });
      s.closeHandler(v -> {
        if (passesClose(link)) {
          client.close();
        }
      });
      client.resume();
    }).onFailure(e -> client.close());
  }

  /** A partitioned connection hears of no close from the other side. */
  private static boolean passesClose(Link link) {
    synchronized (link) {
      return link.mode != Mode.BLACKHOLE;
    }
  }
}

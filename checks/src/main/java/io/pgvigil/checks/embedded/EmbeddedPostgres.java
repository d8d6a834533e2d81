package io.pgvigil.checks.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL server run from the binaries bundled in this jar (zonky's builds, majors 14–18): for tests, the {@code
 * demo} command and the drift shadow database. It listens on 127.0.0.1 only, has no Unix socket, trusts every local
 * connection and has the superuser {@code postgres}.
 *
 * <p>The caller owns the lifecycle: nothing global is registered, so always {@link #close()}. Starting blocks (initdb,
 * process start): never call it on an event loop.
 */
public final class EmbeddedPostgres implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgres.class);
  static final String HOST = "127.0.0.1";
  static final String SUPERUSER = "postgres";
  private static final int PORT_ATTEMPTS = 5;
  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);

  private final Builder config;
  private final PostgresBundle bundle;
  private final PostgresBinaries binaries;
  private final Path ownedRoot;
  private final Path dataDirectory;
  private final Path log;
  private int port;
  private Postmaster postmaster;
  private boolean closed;

  private EmbeddedPostgres(Builder config, PostgresBundle bundle, PostgresBinaries binaries, Path ownedRoot,
      Path dataDirectory, Path log) {
    this.config = config;
    this.bundle = bundle;
    this.binaries = binaries;
    this.ownedRoot = ownedRoot;
    this.dataDirectory = dataDirectory;
    this.log = log;
    this.port = config.port;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The majors whose binaries this jar bundles, ascending: callers can refuse others before starting. */
  public static List<Integer> bundledMajors() {
    return PostgresBundle.bundledMajors();
  }

  /** The exact version bundled for {@code major}, e.g. {@code 17.9.0}; an error names the bundled majors. */
  public static String bundledVersion(int major) {
    return PostgresBundle.of(major).version();
  }

  public String host() {
    return HOST;
  }

  public int port() {
    return port;
  }

  public int major() {
    return bundle.major();
  }

  /** The exact version of the bundled binaries, e.g. {@code 17.9.0}. */
  public String version() {
    return bundle.version();
  }

  public String name() {
    return config.name;
  }

  public Path dataDirectory() {
    return dataDirectory;
  }

  public boolean isRunning() {
    return postmaster != null && postmaster.isAlive();
  }

  public String jdbcUrl(String database) {
    return "jdbc:postgresql://" + HOST + ":" + port + "/" + database + "?user=" + SUPERUSER;
  }

  public String uri(String database) {
    return "postgresql://" + SUPERUSER + "@" + HOST + ":" + port + "/" + database;
  }

  /**
   * Starts a streaming standby of this server, with its own data directory (deleted on close), port and physical
   * replication slot (dropped on close), {@code application_name = name}.
   */
  public EmbeddedPostgres startReplica(String name) throws IOException {
    if (!isRunning()) {
      throw new IllegalStateException("cannot start replica '" + name + "': " + config.name + " is not running");
    }
    StandbyClone clone = new StandbyClone(this, name);
    Builder replica = builder().major(major()).binariesCache(config.binariesCache).name(name);
    config.settings.forEach(replica::setting);
    // A replica that fails to start is closed, which drops its slot too.
    replica.standbyOf = clone;
    return replica.start();
  }

  /** (Re)starts the server on the same port and data directory, e.g. after {@link #stop()}. */
  public void start() throws IOException {
    if (closed) {
      throw new IllegalStateException(config.name + " is closed");
    }
    if (isRunning()) {
      return;
    }
    postmaster = Postmaster.start(binaries, dataDirectory, log, HOST, port, config.settings, STARTUP_TIMEOUT);
  }

  private void firstStart() throws IOException {
    for (int attempt = 1;; attempt++) {
      if (config.port == 0) {
        port = freePort();
      }
      try {
        start();
        return;
      } catch (IOException e) {
        // A free port picked by us can be taken before the server binds it: pick another.
        boolean race = config.port == 0 && FileTrees.tail(log, 30).contains("could not bind");
        if (!race || attempt == PORT_ATTEMPTS) {
          throw e;
        }
        LOG.debug("port {} was taken before {} could bind it, retrying", port, config.name);
      }
    }
  }

  /**
   * Fast shutdown; the data directory stays so that {@link #start()} can bring the server back.
   *
   * @return false when the server had to be killed (its data directory then needs crash recovery), true when it
   *     shut down cleanly or was not running
   */
  public boolean stop() {
    if (postmaster == null) {
      return true;
    }
    boolean clean = postmaster.stop();
    postmaster = null;
    LOG.debug("{} stopped{}", config.name, clean ? "" : " (killed)");
    return clean;
  }

  /** Stops the server and deletes the data directory if this launcher created it. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      stop();
      if (config.standbyOf != null) {
        config.standbyOf.dropSlot();
      }
    } finally {
      if (ownedRoot != null) {
        try {
          FileTrees.delete(ownedRoot);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot delete " + ownedRoot + " of " + config.name, e);
        }
      }
    }
  }

  @Override
  public String toString() {
    return config.name + " (PostgreSQL " + version() + " on " + HOST + ":" + port + ")";
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return socket.getLocalPort();
    }
  }

  public static final class Builder {
    private int major = 17;
    private Path binariesCache;
    private Path dataDirectory;
    private Path log;
    private int port;
    private String name = "postgres";
    private final Map<String, String> settings = new LinkedHashMap<>();
    // Null: initdb makes the cluster; else a base backup of the primary makes a standby.
    private StandbyClone standbyOf;

    private Builder() {}

    /** The PostgreSQL major, 14–18; default 17. */
    public Builder major(int major) {
      this.major = major;
      return this;
    }

    /** Where bundles are extracted, once per version; default {@code <java.io.tmpdir>/pgvigil-postgres}. */
    public Builder binariesCache(Path binariesCache) {
      this.binariesCache = binariesCache;
      return this;
    }

    /** An existing cluster is reused, a missing or empty one initialized; default: a temp dir deleted on close. */
    public Builder dataDirectory(Path dataDirectory) {
      this.dataDirectory = dataDirectory;
      return this;
    }

    /** The server log; default beside the data directory. */
    public Builder log(Path log) {
      this.log = log;
      return this;
    }

    /** The TCP port on 127.0.0.1; 0 (the default) picks a free one. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0..65535 but was " + port);
      }
      this.port = port;
      return this;
    }

    /** A name for log messages and the default log file. */
    public Builder name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /** A server setting ({@code -c name=value}), e.g. {@code setting("max_connections", "50")}. */
    public Builder setting(String name, String value) {
      settings.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** Extracts the binaries if needed, initializes the data directory if empty and starts the server. */
    public EmbeddedPostgres start() throws IOException {
      PostgresBundle bundle = PostgresBundle.of(major);
      if (binariesCache == null) {
        binariesCache = Path.of(System.getProperty("java.io.tmpdir"), "pgvigil-postgres");
      }
      long begin = System.nanoTime();
      Path home = bundle.install(binariesCache);
      LOG.debug("PostgreSQL {} binaries ready in {} ({} ms)", bundle.version(), home,
          (System.nanoTime() - begin) / 1_000_000);
      Path ownedRoot = null;
      Path data = dataDirectory;
      Path logFile = log;
      if (data == null) {
        // Read java.io.tmpdir now: Files.createTempDirectory(String) caches it at first use, so a value set later (as
        // Surefire does) would be ignored.
        ownedRoot = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")),
            "pgvigil-" + name.replaceAll("[^A-Za-z0-9_.-]", "_") + "-");
        data = ownedRoot.resolve("data");
      }
      if (logFile == null) {
        logFile =
            ownedRoot != null ? ownedRoot.resolve(name + ".log") : data.toAbsolutePath().resolveSibling(name + ".log");
      }
      PostgresBinaries binaries = new PostgresBinaries(home, PostgresBinaries.runningAsRoot());
      EmbeddedPostgres server =
          new EmbeddedPostgres(this, bundle, binaries, ownedRoot, data, logFile);
      try {
        if (standbyOf != null) {
          standbyOf.writeInto(server);
        } else if (!Files.exists(data.resolve("PG_VERSION"))) {
          binaries.initdb(data, SUPERUSER);
        }
        server.firstStart();
      } catch (IOException | RuntimeException e) {
        try {
          server.close();
        } catch (RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      }
      LOG.info("started PostgreSQL {} ({}) on {}:{}, data directory {}", bundle.version(), name, HOST, server.port,
          data);
      return server;
    }
  }
}

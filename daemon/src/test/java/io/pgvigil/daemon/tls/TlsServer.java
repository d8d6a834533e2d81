package io.pgvigil.daemon.tls;

import io.pgvigil.checks.embedded.EmbeddedPostgres;
import io.pgvigil.checks.testing.TestServers;
import io.pgvigil.daemon.config.DatabaseUrl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;

/**
 * An embedded PostgreSQL with {@code ssl = on} and a certificate issued for {@code localhost} (only)
 * by a CA made in the test. Role {@value #CERT_USER} must log in with a client certificate, role
 * {@value #TLS_USER} over TLS; every other role is trusted, over TLS or not.
 */
public final class TlsServer implements AutoCloseable {

  public static final String CERT_USER = "certuser";
  /** A role that may only connect over TLS, and create databases (for a url shadow). */
  public static final String TLS_USER = "tlsonly";

  private final TestCa ca;
  private final Path dir;
  private final EmbeddedPostgres server;

  private TlsServer(TestCa ca, Path dir, EmbeddedPostgres server) {
    this.ca = ca;
    this.dir = dir;
    this.server = server;
  }

  public static TlsServer start() throws Exception {
    Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "tls-");
    TestCa ca = TestCa.create("pgvigil test CA");
    TestCa.Issued cert = ca.issue("localhost", List.of("localhost"));
    TestCa.write(dir.resolve("root.crt"), TestCa.pem(ca.certificate()));
    // Owner-only key: PostgreSQL refuses others; under `unshare -U` (tests as root) the server sees itself as owner.
    Path serverCert = TestCa.write(dir.resolve("server.crt"), TestCa.pem(cert.certificate()));
    Path serverKey = TestCa.write(dir.resolve("server.key"), TestCa.pem(cert.key()));
    Path hba = TestCa.write(dir.resolve("pg_hba.conf"), String.join("\n",
        "hostssl all " + CERT_USER + " 127.0.0.1/32 cert",
        "host all " + CERT_USER + " 127.0.0.1/32 reject",
        "hostnossl all " + TLS_USER + " 127.0.0.1/32 reject",
        "host all all 127.0.0.1/32 trust", ""));
    EmbeddedPostgres server = EmbeddedPostgres.builder().major(TestServers.major())
        .binariesCache(TestServers.binariesCache()).name("tls")
        .setting("ssl", "on")
        .setting("ssl_cert_file", serverCert.toString())
        .setting("ssl_key_file", serverKey.toString())
        .setting("ssl_ca_file", dir.resolve("root.crt").toString())
        .setting("hba_file", hba.toString())
        .start();
    try (Connection c = DriverManager.getConnection(server.jdbcUrl("postgres"));
        Statement s = c.createStatement()) {
      s.execute("CREATE ROLE " + CERT_USER + " LOGIN");
      s.execute("CREATE ROLE " + TLS_USER + " LOGIN CREATEDB");
    }
    return new TlsServer(ca, dir, server);
  }

  /** The PEM file of the CA that signed the server's certificate. */
  public Path rootCert() {
    return dir.resolve("root.crt");
  }

  /** The PEM file of a CA the server's certificate has nothing to do with. */
  public Path otherRootCert() throws Exception {
    Path file = dir.resolve("other-root.crt");
    if (!Files.exists(file)) {
      TestCa.write(file, TestCa.pem(TestCa.create("someone else's CA").certificate()));
    }
    return file;
  }

  TestCa ca() {
    return ca;
  }

  Path dir() {
    return dir;
  }

  public int port() {
    return server.port();
  }

  /** {@code postgresql://postgres@HOST:port/postgres?PARAMS}; the server listens on 127.0.0.1. */
  public String url(String host, String params) {
    return "postgresql://postgres@" + host + ":" + port() + "/postgres" + (params.isEmpty() ? "" : "?" + params);
  }

  public DatabaseUrl parse(String host, String params) {
    return DatabaseUrl.parse(url(host, params));
  }

  @Override
  public void close() throws Exception {
    try {
      server.close();
    } finally {
      deleteTree(dir);
    }
  }

  private static void deleteTree(Path dir) throws Exception {
    try (var files = Files.walk(dir)) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}

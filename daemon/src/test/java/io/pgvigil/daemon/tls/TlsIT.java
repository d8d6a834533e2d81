package io.pgvigil.daemon.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgvigil.checks.history.HistoryDatabase;
import io.pgvigil.checks.history.HistoryException;
import io.pgvigil.checks.history.MigrationSource;
import io.pgvigil.checks.shadow.ShadowDatabase;
import io.pgvigil.checks.shadow.Shadows;
import io.pgvigil.checks.testing.OwnedTestPostgres;
import io.pgvigil.checks.testing.TestServers;
import io.pgvigil.checks.tls.TlsFailure;
import io.pgvigil.daemon.config.DatabaseUrl;
import io.pgvigil.daemon.drift.HistorySources;
import io.pgvigil.daemon.watch.TargetSpecs;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Both of pgvigil's clients (the reactive pools, pgjdbc for the history reader, Flyway, the shadow
 * and review) against a real PostgreSQL with {@code ssl = on}: libpq's sslmode meanings, and one
 * clear reason when TLS fails.
 */
class TlsIT {

  private static final String SSL_OF_THIS_SESSION =
      "SELECT ssl, client_dn FROM pg_stat_ssl WHERE pid = pg_backend_pid()";
  private static final String NOT_TRUSTED = "the TLS certificate of localhost is not trusted: no CA of sslrootcert"
      + " (or, without sslrootcert, of the JDK's trust store) signed it";

  private static TlsServer server;
  private static Vertx vertx;

  @BeforeAll
  static void start() throws Exception {
    server = TlsServer.start();
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    if (vertx != null) {
      vertx.close().await();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void requireEncryptsWithoutCheckingTheCertificate() throws Exception {
    DatabaseUrl url = server.parse("127.0.0.1", "sslmode=require");

    assertThat(reactiveSession(url).ssl()).isTrue();
    assertThat(jdbcSession(url).ssl()).isTrue();
  }

  @Test
  void preferAndTheDefaultEncryptWhenTheServerOffersTls() throws Exception {
    assertThat(reactiveSession(server.parse("localhost", "sslmode=prefer")).ssl()).isTrue();
    assertThat(reactiveSession(server.parse("localhost", "")).ssl()).isTrue();
    assertThat(jdbcSession(server.parse("localhost", "sslmode=prefer")).ssl()).isTrue();
  }

  @Test
  void allowAndDisableStayInPlainTextWhenTheServerAcceptsIt() throws Exception {
    assertThat(reactiveSession(server.parse("localhost", "sslmode=allow")).ssl()).isFalse();
    assertThat(reactiveSession(server.parse("localhost", "sslmode=disable")).ssl()).isFalse();
    assertThat(jdbcSession(server.parse("localhost", "sslmode=disable")).ssl()).isFalse();
  }

  @Test
  void allowFallsBackToTlsWhenTheServerRefusesPlainText() throws Exception {
    DatabaseUrl url = DatabaseUrl.parse("postgresql://" + TlsServer.TLS_USER + "@localhost:" + server.port()
        + "/postgres?sslmode=allow");

    assertThat(reactiveSession(url).ssl()).isTrue();
    assertThat(jdbcSession(url).ssl()).isTrue();
  }

  @Test
  void verifyFullConnectsWithTheRightCaAndHost() throws Exception {
    DatabaseUrl url = server.parse("localhost", "sslmode=verify-full&sslrootcert=" + server.rootCert());

    assertThat(reactiveSession(url).ssl()).isTrue();
    assertThat(jdbcSession(url).ssl()).isTrue();
  }

  @Test
  void verifyFullWithAnotherCaFailsSayingTheCertificateIsNotTrusted() throws Exception {
    DatabaseUrl url = server.parse("localhost", "sslmode=verify-full&sslrootcert=" + server.otherRootCert());

    assertThat(reactiveFailure(url)).isEqualTo(NOT_TRUSTED);
    assertThatThrownBy(() -> readHistory(url)).isInstanceOf(HistoryException.class)
        .hasMessage("cannot connect to PostgreSQL at localhost:" + server.port() + "/postgres: " + NOT_TRUSTED);
  }

  @Test
  void requireWithARootCertChecksTheChainAsLibpqDoes() throws Exception {
    DatabaseUrl url = server.parse("localhost", "sslmode=require&sslrootcert=" + server.otherRootCert());

    assertThat(reactiveFailure(url)).isEqualTo(NOT_TRUSTED);
    assertThatThrownBy(() -> readHistory(url)).hasMessageEndingWith(NOT_TRUSTED);
  }

  @Test
  void verifyFullFailsWhenTheCertificateNamesAnotherHost() throws Exception {
    // The certificate names localhost only; 127.0.0.1 reaches the same server.
    DatabaseUrl url = server.parse("127.0.0.1", "sslmode=verify-full&sslrootcert=" + server.rootCert());
    String reason = "the TLS certificate of 127.0.0.1 is not issued for the host name 127.0.0.1"
        + " (sslmode=verify-full checks it; connect by a name the certificate lists)";

    assertThat(reactiveFailure(url)).isEqualTo(reason);
    assertThatThrownBy(() -> readHistory(url)).hasMessageEndingWith(reason);
  }

  @Test
  void verifyCaChecksTheChainButNotTheHostName() throws Exception {
    DatabaseUrl url = server.parse("127.0.0.1", "sslmode=verify-ca&sslrootcert=" + server.rootCert());

    assertThat(reactiveSession(url).ssl()).isTrue();
    assertThat(jdbcSession(url).ssl()).isTrue();
  }

  @Test
  void aClientCertificateLogsInARoleThatRequiresOne() throws Exception {
    TestCa.Issued client = server.ca().issue(TlsServer.CERT_USER, List.of(), TestCa.rsaKeys());
    Path cert = TestCa.write(server.dir().resolve("client.crt"), TestCa.pem(client.certificate()));
    // PKCS#1, as older openssl genrsa writes it: pgjdbc alone would not read it.
    Path key = TestCa.write(server.dir().resolve("client.key"), TestCa.pkcs1Pem(client.key()));
    DatabaseUrl url = DatabaseUrl.parse("postgresql://" + TlsServer.CERT_USER + "@localhost:" + server.port()
        + "/postgres?sslmode=verify-full&sslrootcert=" + server.rootCert() + "&sslcert=" + cert + "&sslkey=" + key);

    assertThat(reactiveSession(url).clientDn()).isEqualTo("/CN=" + TlsServer.CERT_USER);
    assertThat(jdbcSession(url).clientDn()).isEqualTo("/CN=" + TlsServer.CERT_USER);
    assertThatThrownBy(() -> readHistory(url)).as("the history reader got in, and found no history")
        .hasMessageStartingWith("history table public.flyway_schema_history does not exist");
  }

  @Test
  void requireAgainstAServerWithoutTlsFailsSayingSo() throws Exception {
    try (OwnedTestPostgres plain = TestServers.start("plain")) {
      DatabaseUrl url = DatabaseUrl.parse(plain.uri() + "?sslmode=require");
      String reason = "the server " + plain.host() + " does not accept TLS connections; turn ssl on in its"
          + " postgresql.conf or use sslmode=prefer";

      assertThat(reactiveFailure(url)).isEqualTo(reason);
      assertThatThrownBy(() -> readHistory(url)).hasMessageEndingWith(reason);
      assertThat(reactiveSession(DatabaseUrl.parse(plain.uri() + "?sslmode=prefer")).ssl()).isFalse();
    }
  }

  @Test
  void aRootCertGivenInlineThroughFileSubstitutionWorksForBothClients() throws Exception {
    // What sslrootcert=${file:/path/root.crt} becomes after substitution: the PEM text itself.
    String pem = Files.readString(server.rootCert()).strip();
    DatabaseUrl url = server.parse("localhost", "sslmode=verify-full&sslrootcert=" + pem);

    assertThat(reactiveSession(url).ssl()).isTrue();
    assertThat(jdbcSession(url).ssl()).isTrue();
    assertThat(url.redacted()).doesNotContain("BEGIN").contains("sslrootcert=<inline-pem>");
  }

  @Test
  void anInlineClientKeyLogsInOverJdbcWithoutEverBeingWrittenToDisk() throws Exception {
    // What sslkey=${env:PG_CLIENT_KEY} becomes after substitution: the PEM text itself.
    TestCa.Issued client = server.ca().issue(TlsServer.CERT_USER, List.of());
    String keyPem = TestCa.pem(client.key()).strip();
    String keyBody = keyPem.lines().skip(1).findFirst().orElseThrow();
    DatabaseUrl url = DatabaseUrl.parse("postgresql://" + TlsServer.CERT_USER + "@localhost:" + server.port()
        + "/postgres?sslmode=verify-full&sslrootcert=" + server.rootCert()
        + "&sslcert=" + TestCa.pem(client.certificate()).strip() + "&sslkey=" + keyPem);

    assertThat(jdbcSession(url).clientDn()).isEqualTo("/CN=" + TlsServer.CERT_USER);
    assertThatThrownBy(() -> readHistory(url)).as("the history reader (PGSimpleDataSource) got in too")
        .hasMessageStartingWith("history table public.flyway_schema_history does not exist");
    assertThat(HistorySources.database(url).jdbcUrl()).doesNotContain(keyBody).doesNotContain("PRIVATE");
    assertThat(filesHolding(keyBody, Path.of(System.getProperty("java.io.tmpdir")))).isEmpty();
  }

  /** The regular files directly in {@code dir} whose text contains {@code text}. */
  private static List<Path> filesHolding(String text, Path dir) throws Exception {
    try (var files = Files.list(dir)) {
      return files.filter(f -> Files.isRegularFile(f) && Files.isReadable(f)).filter(f -> {
        try {
          return Files.size(f) < 1_000_000 && new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)
              .contains(text);
        } catch (Exception e) {
          return false; // gone or unreadable meanwhile: not ours
        }
      }).toList();
    }
  }

  @Test
  void aUrlShadowOnAServerThatRequiresTlsIsCreatedAndDroppedOverTls() throws Exception {
    DatabaseUrl url = DatabaseUrl.parse("postgresql://" + TlsServer.TLS_USER + "@localhost:" + server.port()
        + "/postgres?sslmode=verify-full&sslrootcert=" + server.rootCert());

    String name;
    try (ShadowDatabase shadow = Shadows.onServer(HistorySources.database(url)).open(TestServers.major())) {
      name = shadow.database();
      assertThat(jdbcSession(DatabaseUrl.parse(url.redacted().replace("/postgres?", "/" + name + "?"))).ssl())
          .isTrue();
    }
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://localhost:" + server.port()
        + "/postgres?user=postgres&sslmode=disable");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_database WHERE datname = '" + name + "'")) {
      rs.next();
      assertThat(rs.getInt(1)).as("the shadow database was dropped, over TLS").isZero();
    }
  }

  record Session(boolean ssl, String clientDn) {}

  private static Session reactiveSession(DatabaseUrl url) throws Exception {
    Pool pool = PgBuilder.pool().connectingTo(TargetSpecs.connectOptions(url, Duration.ofSeconds(5)))
        .using(vertx).build();
    try {
      Row row = pool.query(SSL_OF_THIS_SESSION).execute().await(20, TimeUnit.SECONDS).iterator().next();
      return new Session(row.getBoolean("ssl"), row.getString("client_dn"));
    } finally {
      pool.close().await();
    }
  }

  /** Why the reactive client fails, as the daemon's target-down line says it. */
  private static String reactiveFailure(DatabaseUrl url) throws Exception {
    PgConnectOptions options = TargetSpecs.connectOptions(url, Duration.ofSeconds(5));
    Pool pool = PgBuilder.pool().connectingTo(options).using(vertx).build();
    try {
      pool.query("SELECT 1").execute().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
      throw new AssertionError("connected to " + url + " but should not have");
    } catch (ExecutionException e) {
      Throwable explained = VertxTls.explain(e.getCause(), options);
      return TlsFailure.reason(explained, url.host()).orElse("not a TLS reason: " + e.getCause());
    } finally {
      pool.close().await();
    }
  }

  /** The way the history reader, Flyway, the url shadow and review connect: pgjdbc with HistorySources' URL. */
  private static Session jdbcSession(DatabaseUrl url) throws Exception {
    HistoryDatabase db = HistorySources.database(url);
    Properties properties = new Properties();
    properties.setProperty("user", db.user());
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), properties);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(SSL_OF_THIS_SESSION)) {
      rs.next();
      return new Session(rs.getBoolean("ssl"), rs.getString("client_dn"));
    }
  }

  private static void readHistory(DatabaseUrl url) throws Exception {
    Path empty = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "migrations-");
    new MigrationSource.Flyway(List.of(empty), "flyway_schema_history", List.of("public"), false)
        .read(HistorySources.database(url), Instant.now());
  }
}

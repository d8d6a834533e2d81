package io.pgvigil.daemon.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgvigil.daemon.tls.PemSource;
import io.pgvigil.daemon.tls.SslMode;
import io.pgvigil.daemon.tls.TestCa;
import io.pgvigil.daemon.tls.TlsSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The TLS parameters of target, replica and shadow URLs as the config file gives them. */
class TlsConfigTest {

  @TempDir
  Path dir;

  @Test
  void resolvesPemPathsAgainstTheConfigDirectoryAndTakesPemTextFromFileSubstitution() throws Exception {
    TestCa ca = TestCa.create("ca");
    TestCa.Issued client = ca.issue("pgvigil", java.util.List.of());
    Files.createDirectories(dir.resolve("tls"));
    TestCa.write(dir.resolve("tls/root.crt"), TestCa.pem(ca.certificate()));
    TestCa.write(dir.resolve("tls/client.crt"), TestCa.pem(client.certificate()));
    TestCa.write(dir.resolve("tls/client.key"), TestCa.pem(client.key()));

    PgvigilConfig config = new ConfigLoader(Map.of()).parse(
        """
            targets:
              - name: app
                url: "postgresql://pgvigil@db/app?sslmode=verify-full&sslrootcert=tls/root.crt&sslcert=tls/client.crt&sslkey=${file:tls/client.key}"
                replicas: [{ name: r1, url: "postgresql://pgvigil@replica/app?sslmode=verify-ca&sslrootcert=${file:tls/root.crt}" }]
            """,
        dir, "config");

    TlsSettings tls = config.targets().get(0).url().tls();
    assertThat(tls.mode()).isEqualTo(SslMode.VERIFY_FULL);
    assertThat(tls.rootCert()).contains(new PemSource.File(dir.resolve("tls/root.crt")));
    assertThat(tls.key()).containsInstanceOf(PemSource.Text.class);
    assertThat(config.targets().get(0).url().redacted()).endsWith("&sslkey=******").doesNotContain("BEGIN");
    assertThat(config.targets().get(0).replicas().get(0).url().tls().rootCert())
        .containsInstanceOf(PemSource.Text.class);
    assertThat(String.join("\n", config.describe())).doesNotContain("PRIVATE KEY");
  }

  @Test
  void reportsEveryUnusableUrlOfEveryTargetAtOnce() throws Exception {
    TestCa.write(dir.resolve("not-a-cert.pem"), "hello\n");

    assertThatThrownBy(() -> new ConfigLoader(Map.of()).parse(
        """
            targets:
              - name: app
                url: postgresql://pgvigil@db/app?sslmode=verify-full&sslrootcert=missing.pem
                replicas: [{ name: r1, url: "postgresql://pgvigil@replica/app?sslmode=verify-ca&sslrootcert=not-a-cert.pem" }]
                shadow: { mode: url, url: "postgresql://pgvigil@shadow/postgres?sslmode=bogus" }
              - name: other
                url: postgresql://pgvigil@db/other?application_name=x
            """,
        dir, "config"))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .extracting(ConfigProblem::toString)
            .contains(
                "targets[0].url: sslrootcert file " + dir.resolve("missing.pem") + " does not exist",
                "targets[0].replicas[0].url: sslrootcert " + dir.resolve("not-a-cert.pem")
                    + " holds no PEM certificate (a -----BEGIN CERTIFICATE----- block)",
                "targets[0].shadow.url: has sslmode 'bogus'; use one of disable, allow, prefer,"
                    + " require, verify-ca, verify-full",
                "targets[1].url: has unknown parameter 'application_name' (known parameters:"
                    + " sslmode, sslrootcert, sslcert, sslkey, password)"));
  }
}

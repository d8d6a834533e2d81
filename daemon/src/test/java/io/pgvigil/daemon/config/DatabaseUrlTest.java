package io.pgvigil.daemon.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgvigil.common.SecretValue;
import io.pgvigil.daemon.tls.PemSource;
import io.pgvigil.daemon.tls.SslMode;
import io.pgvigil.daemon.tls.TlsSettings;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DatabaseUrlTest {

  @Test
  void parsesAllParts() {
    DatabaseUrl url =
        DatabaseUrl.parse("postgresql://pgvigil:pw@db.internal:6432/app?sslmode=require&sslrootcert=/etc/ca.pem");

    assertThat(url.host()).isEqualTo("db.internal");
    assertThat(url.port()).isEqualTo(6432);
    assertThat(url.database()).isEqualTo("app");
    assertThat(url.user()).isEqualTo("pgvigil");
    assertThat(url.password()).contains(SecretValue.of("pw"));
    assertThat(url.params()).containsExactly(Map.entry("sslmode", "require"), Map.entry("sslrootcert", "/etc/ca.pem"));
  }

  @Test
  void defaultsThePortAndAcceptsThePostgresScheme() {
    DatabaseUrl url = DatabaseUrl.parse("postgres://u@db/app");

    assertThat(url.port()).isEqualTo(5432);
    assertThat(url.password()).isEmpty();
    assertThat(url.params()).isEmpty();
  }

  @Test
  void percentDecodesUserPasswordAndDatabase() {
    DatabaseUrl url = DatabaseUrl.parse("postgresql://dev%40corp:p%2Fw%3Ad+x@db/my%20db");

    assertThat(url.user()).isEqualTo("dev@corp");
    assertThat(url.password().map(SecretValue::reveal)).contains("p/w:d+x");
    assertThat(url.database()).isEqualTo("my db");
  }

  @Test
  void acceptsIpv6Hosts() {
    DatabaseUrl url = DatabaseUrl.parse("postgresql://u@[::1]:5433/app");

    assertThat(url.host()).isEqualTo("::1");
    assertThat(url.port()).isEqualTo(5433);
    assertThat(url.redacted()).isEqualTo("postgresql://u@[::1]:5433/app");
  }

  @Test
  void redactsThePasswordAndAnInlineKeyEverywhereTheUrlIsRendered() {
    String key = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAhunter3\n-----END PRIVATE KEY-----";
    DatabaseUrl url = DatabaseUrl.parse("postgresql://dev%40corp:hunter2@db/app?sslmode=verify-full"
        + "&sslrootcert=/etc/pg/root.crt&sslcert=/etc/pg/client.crt&sslkey=" + key);

    assertThat(url.redacted()).isEqualTo("postgresql://dev%40corp@db:5432/app?sslmode=verify-full"
        + "&sslrootcert=/etc/pg/root.crt&sslcert=/etc/pg/client.crt&sslkey=******");
    assertThat(url.toString()).isEqualTo(url.redacted()).doesNotContain("hunter2", "hunter3");
  }

  @Test
  void readsLibpqTlsSettingsWithPreferAsTheDefault() {
    TlsSettings none = DatabaseUrl.parse("postgresql://u@db/app").tls();
    TlsSettings full = DatabaseUrl.parse("postgresql://u@db/app?sslmode=verify-full&sslrootcert=ca.pem").tls();
    TlsSettings require = DatabaseUrl.parse("postgresql://u@db/app?sslmode=require").tls();

    assertThat(none.mode()).isEqualTo(SslMode.PREFER);
    assertThat(none.verifiesChain()).isFalse();
    assertThat(full.mode()).isEqualTo(SslMode.VERIFY_FULL);
    assertThat(full.rootCert()).contains(new PemSource.File(java.nio.file.Path.of("ca.pem")));
    assertThat(require.verifiesChain()).isFalse();
    assertThat(DatabaseUrl.parse("postgresql://u@db/app?sslmode=require&sslrootcert=ca.pem").tls().verifiesChain())
        .as("require with a root certificate checks the chain, as in libpq").isTrue();
  }

  @Test
  void takesAPasswordQueryParameterAsThePassword() {
    DatabaseUrl url = DatabaseUrl.parse("postgresql://u@db/app?password=hunter2&sslmode=disable");

    assertThat(url.password()).contains(SecretValue.of("hunter2"));
    assertThat(url.params()).containsOnlyKeys("sslmode");
    assertThat(url.toString()).doesNotContain("hunter2");
  }

  @Test
  void withPasswordReplacesThePasswordOfTheUrl() {
    DatabaseUrl url = DatabaseUrl.parse("postgresql://u:old@db/app").withPassword(Optional.of(SecretValue.of("new")));

    assertThat(url.password()).contains(SecretValue.of("new"));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "postgresql://u:pw@db:5432           | has no database name; add it after the host, as in postgresql://user@host:5432/DATABASE",
      "postgresql://u:pw@db:5432/          | has no database name; add it after the host, as in postgresql://user@host:5432/DATABASE",
      "mysql://u:pw@db:3306/app            | scheme 'mysql' is not supported; the URL must start with postgresql:// or postgres://",
      "postgresql://u:pw@db:99999/app      | port '99999' must be a number between 1 and 65535",
      "postgresql://u:pw@db:abc/app        | the port must be a number between 1 and 65535",
      "postgresql://db:5432/app            | has no user; write it as postgresql://USER@host:5432/database",
      "postgresql://u:pw@/app              | has no host; write it as postgresql://user@HOST:5432/database",
      "db:5432/app                         | is not a database URL; write it as postgresql://user@host:5432/database",
      "postgresql://u:p%zzw@db/app         | has an invalid percent-escape in the password",
      "postgresql://u@a:5432,b:5432/app    | lists several hosts; pgvigil watches one server per URL, declare replicas separately",
      "postgresql://u:pw@db/app?application_name=x | has unknown parameter 'application_name' (known parameters: sslmode, sslrootcert, sslcert, sslkey, password)",
      "postgresql://u:pw@db/app?sslmod=require | has unknown parameter 'sslmod'; did you mean 'sslmode'? (known parameters: sslmode, sslrootcert, sslcert, sslkey, password)",
      "postgresql://u:pw@db/app?sslmode=bogus | has sslmode 'bogus'; use one of disable, allow, prefer, require, verify-ca, verify-full",
      "postgresql://u:pw@db/app?sslcert=c.pem | has sslcert without sslkey; a client certificate needs both the certificate (sslcert) and its private key (sslkey)",
      "postgresql://u:pw@db/app?sslmode=verify-ca | has sslmode=verify-ca without sslrootcert; give sslrootcert (the PEM of the CA that signs the server's certificate), or use sslmode=verify-full&sslrootcert=system to trust the system's CAs with the host name checked",
      "postgresql://u:pw@db/app?sslmode=require&sslrootcert=system | has sslrootcert=system without sslmode=verify-full; as in libpq, the system's CAs vouch for any public host name, so the host name must be checked too",
      "postgresql://u:pw@db/app?sslmode=disable&sslrootcert=ca.pem | has sslmode=disable together with TLS files; remove them or choose another sslmode"
  })
  void rejectsBrokenUrlsWithoutEchoingThePassword(String text, String message) {
    assertThatThrownBy(() -> DatabaseUrl.parse(text))
        .isInstanceOf(DatabaseUrl.InvalidUrlException.class)
        .hasMessage(message)
        .message().doesNotContain("pw");
  }
}

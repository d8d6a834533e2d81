package io.pgvigil.daemon.config;

import io.pgvigil.alerts.SecretValue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DatabaseUrlTest {

    @Test
    void parsesAllParts() {
        DatabaseUrl url = DatabaseUrl.parse("postgresql://pgvigil:pw@db.internal:6432/app?sslmode=require&application_name=x");

        assertThat(url.host()).isEqualTo("db.internal");
        assertThat(url.port()).isEqualTo(6432);
        assertThat(url.database()).isEqualTo("app");
        assertThat(url.user()).isEqualTo("pgvigil");
        assertThat(url.password()).contains(SecretValue.of("pw"));
        assertThat(url.params()).containsExactly(Map.entry("sslmode", "require"), Map.entry("application_name", "x"));
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
    void redactsThePasswordEverywhereItIsRendered() {
        DatabaseUrl url = DatabaseUrl.parse("postgresql://dev%40corp:hunter2@db/app?sslpassword=keypw&sslmode=verify-full");

        assertThat(url.redacted())
                .isEqualTo("postgresql://dev%40corp@db:5432/app?sslpassword=******&sslmode=verify-full");
        assertThat(url.toString()).isEqualTo(url.redacted()).doesNotContain("hunter2", "keypw");
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
            "postgresql://u@a:5432,b:5432/app    | lists several hosts; pgvigil watches one server per URL, declare replicas separately"
    })
    void rejectsBrokenUrlsWithoutEchoingThePassword(String text, String message) {
        assertThatThrownBy(() -> DatabaseUrl.parse(text))
                .isInstanceOf(DatabaseUrl.InvalidUrlException.class)
                .hasMessage(message)
                .message().doesNotContain("pw");
    }
}

package io.pgvigil.daemon.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ListenAddressTest {

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "0.0.0.0:8080     | 0.0.0.0   | 8080",
      "localhost:0      | localhost | 0",
      "pgvigil.internal:9187 | pgvigil.internal | 9187",
      "[::1]:8080       | ::1       | 8080",
      "[::]:8080        | ::        | 8080",
      "::1:8080         | ::1       | 8080"
  })
  void readsHostAndPort(String text, String host, int port) {
    assertThat(ListenAddress.parse(text)).contains(new ListenAddress(host, port));
  }

  @ParameterizedTest
  @ValueSource(strings = {"[::1", "[::1]", "[::1]:", "[db]:8080", "[::1]8080", "::1]:8080", ":8080", "host:",
      "host:99999", "host:-1", "ho st:80", "host_name:80", "host", "127.0.0.1:80x"})
  void rejectsWhatCannotBeBound(String text) {
    assertThat(ListenAddress.parse(text)).isEmpty();
  }
}

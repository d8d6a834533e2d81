package io.pgvigil.daemon.watch;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.VertxException;
import io.vertx.pgclient.PgException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

class ReconnectTest {

  private static final Duration INTERVAL = Duration.ofSeconds(1);
  private static final Duration MAX = Duration.ofSeconds(30);

  private static List<Duration> waitsAfter(Reconnect reconnect, Throwable failure, int times) {
    List<Duration> waits = new ArrayList<>();
    for (int i = 0; i < times; i++) {
      reconnect.failed(failure);
      waits.add(reconnect.nextAttempt());
    }
    return waits;
  }

  private static PgException pg(String sqlState, String message) {
    return new PgException(message, "FATAL", sqlState, null);
  }

  @Test
  void aServerThatIsAwayIsAskedAgainEverySecondHoweverLongItIsGone() {
    Reconnect reconnect = new Reconnect(INTERVAL, MAX);

    assertThat(waitsAfter(reconnect, new ConnectException("Connection refused"), 10))
        .containsOnly(Duration.ofSeconds(1));
    assertThat(waitsAfter(reconnect, new TimeoutException("Timeout waiting for connection"), 10))
        .containsOnly(Duration.ofSeconds(1));
    assertThat(reconnect.backingOff()).isFalse();
  }

  @Test
  void aShorterPollIntervalDoublesOnlyUpToOneSecondWhileAway() {
    Reconnect reconnect = new Reconnect(Duration.ofMillis(200), MAX);

    assertThat(waitsAfter(reconnect, new ConnectException("Connection refused"), 6))
        .extracting(Duration::toMillis).containsExactly(200L, 400L, 800L, 1000L, 1000L, 1000L);
  }

  @Test
  void aServerThatStopsRefusingAndGoesAwayIsAskedEverySecondAgain() {
    Reconnect reconnect = new Reconnect(INTERVAL, MAX);
    waitsAfter(reconnect, pg("28P01", "password authentication failed"), 6);

    assertThat(waitsAfter(reconnect, new ConnectException("Connection refused"), 2))
        .containsOnly(Duration.ofSeconds(1));
  }

  @Test
  void aServerStartingUpOrShuttingDownCountsAsComingBack() {
    Reconnect reconnect = new Reconnect(INTERVAL, MAX);

    assertThat(waitsAfter(reconnect, pg("57P03", "the database system is starting up"), 6))
        .containsOnly(Duration.ofSeconds(1));
    assertThat(waitsAfter(reconnect, pg("57P01", "terminating connection due to administrator command"), 3))
        .containsOnly(Duration.ofSeconds(1));
  }

  @Test
  void aServerThatRefusesPgvigilIsAskedLessAndLessUpToTheCap() {
    Reconnect reconnect = new Reconnect(INTERVAL, MAX);

    assertThat(waitsAfter(reconnect, pg("28P01", "password authentication failed"), 7))
        .extracting(Duration::toSeconds).containsExactly(1L, 2L, 4L, 8L, 16L, 30L, 30L);
    assertThat(reconnect.backingOff()).isTrue();
  }

  @Test
  void aTlsFailureIsARefusalToo() {
    Reconnect reconnect = new Reconnect(INTERVAL, MAX);

    assertThat(waitsAfter(reconnect, new RuntimeException(new SSLHandshakeException("bad cert")), 3))
        .extracting(Duration::toSeconds).containsExactly(1L, 2L, 4L);
  }

  @Test
  void theReactiveClientsOwnTlsFailuresAreRefusalsToo() {
    // What vertx-pg-client really throws: no SSLException anywhere in the chain.
    assertThat(waitsAfter(new Reconnect(INTERVAL, MAX), new VertxException("SSL handshake failed", true), 3))
        .extracting(Duration::toSeconds).containsExactly(1L, 2L, 4L);
    assertThat(waitsAfter(new Reconnect(INTERVAL, MAX),
        new Exception("Postgres Server does not handle SSL connection"), 3))
        .extracting(Duration::toSeconds).containsExactly(1L, 2L, 4L);
  }

  @Test
  void aSuccessfulHeartbeatForgetsThePastRefusals() {
    Reconnect reconnect = new Reconnect(INTERVAL, MAX);
    waitsAfter(reconnect, pg("28000", "no pg_hba.conf entry"), 5);

    reconnect.connected();

    assertThat(waitsAfter(reconnect, pg("53300", "too many connections"), 2))
        .extracting(Duration::toSeconds).containsExactly(1L, 2L);
  }
}

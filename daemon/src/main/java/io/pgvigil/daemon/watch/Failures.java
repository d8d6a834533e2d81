package io.pgvigil.daemon.watch;

import io.pgvigil.checks.tls.TlsFailure;
import io.vertx.pgclient.PgException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/** Turns a failed database call into one line a person can act on. */
public final class Failures {

  private Failures() {}

  /** Also says why a TLS connection to {@code host} failed. */
  public static String describe(Throwable cause, Duration timeout, String host) {
    return TlsFailure.reason(cause, host).orElseGet(() -> describe(cause, timeout));
  }

  static String describe(Throwable cause, Duration timeout) {
    if (cause instanceof TargetDownException down) {
      return down.getMessage();
    }
    if (cause instanceof PgException pg) {
      return pg.getErrorMessage() + " (SQLSTATE " + pg.getSqlState() + ")";
    }
    if (cause instanceof TimeoutException) {
      return "no answer within " + timeout.toMillis() + " ms";
    }
    if (cause instanceof ConnectException || cause.getCause() instanceof ConnectException) {
      return "cannot connect: " + cause.getMessage();
    }
    return TlsFailure.reason(cause, "the server").orElse(message(cause));
  }

  public static String message(Throwable e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}

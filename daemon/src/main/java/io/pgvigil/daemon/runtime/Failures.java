package io.pgvigil.daemon.runtime;

import io.vertx.pgclient.PgException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/** Turns a failed database call into one line a person can act on. */
final class Failures {

  private Failures() {}

  static String describe(Throwable cause, Duration timeout) {
    if (cause instanceof PgException pg) {
      return pg.getErrorMessage() + " (SQLSTATE " + pg.getSqlState() + ")";
    }
    if (cause instanceof TimeoutException) {
      return "no answer within " + timeout.toMillis() + " ms";
    }
    if (cause instanceof ConnectException || cause.getCause() instanceof ConnectException) {
      return "cannot connect: " + cause.getMessage();
    }
    String message = cause.getMessage();
    return message == null ? cause.getClass().getSimpleName() : message;
  }
}

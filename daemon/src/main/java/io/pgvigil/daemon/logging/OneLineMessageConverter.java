package io.pgvigil.daemon.logging;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * Logback's {@code %msg} with line breaks and control characters escaped: one event, one line, whatever a message
 * carries (a statement text read from {@code pg_stat_activity}, a server error quoting it, a request's path). Stack
 * traces ({@code %ex}) keep their lines. Installed for {@code %msg}, {@code %m} and {@code %message} in
 * {@link StderrLogging}; the call sites that log text from requests wrap it in {@link UntrustedText} as well.
 */
public final class OneLineMessageConverter extends MessageConverter {

  @Override
  public String convert(ILoggingEvent event) {
    return UntrustedText.escape(super.convert(event), false);
  }
}

package io.pgvigil.daemon.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import org.junit.jupiter.api.Test;

/** Text from outside cannot add lines to the log, whichever way it reaches a message. */
class OneLineLogTest {

  private static final String FORGED =
      "deploy 42\n2026-12-01T00:00:00Z WARN  AbortLog - abort forged\r\u001b[2K\u2028x";

  @Test
  void untrustedTextEscapesLineBreaksAndControlCharacters() {
    assertThat(UntrustedText.of(FORGED).toString())
        .isEqualTo("deploy 42\\n2026-12-01T00:00:00Z WARN  AbortLog - abort forged\\r\\u001b[2K\\u2028x");
    assertThat(UntrustedText.of("tab\there é ü").toString()).isEqualTo("tab\\there é ü");
    assertThat(UntrustedText.of("plain text").toString()).isEqualTo("plain text");
    assertThat(UntrustedText.of(null).toString()).isEqualTo("null");
  }

  @Test
  void untrustedTextIsCutSoOneRequestCannotFloodALine() {
    assertThat(UntrustedText.of("x".repeat(5000)).toString())
        .hasSize(UntrustedText.MAX_LENGTH + 1).endsWith("x…");
  }

  @Test
  void theShippedLogConfigWritesAMessageWithLineBreaksOnOneLine() throws Exception {
    URL shipped = getClass().getResource("/logback.xml");
    assertThat(shipped).as("the daemon's own logback.xml on the class path").isNotNull();
    LoggerContext context = new LoggerContext();
    try {
      JoranConfigurator configurator = new JoranConfigurator();
      configurator.setContext(context);
      configurator.doConfigure(shipped);
      Logger logger = context.getLogger("io.pgvigil.daemon.windows.WindowRegistry");
      Iterator<Appender<ILoggingEvent>> appenders = context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders();
      assertThat(appenders.hasNext()).isTrue();
      OutputStreamAppender<ILoggingEvent> appender = (OutputStreamAppender<ILoggingEvent>) appenders.next();

      // Passed raw, as a call site that forgot UntrustedText would.
      LoggingEvent event = new LoggingEvent(Logger.FQCN, logger, Level.INFO, "window opened ({})", null,
          new Object[] {FORGED});
      String written = new String(appender.getEncoder().encode(event), StandardCharsets.UTF_8);

      assertThat(written.lines()).hasSize(1);
      assertThat(written).endsWith("window opened (deploy 42\\n2026-12-01T00:00:00Z WARN  AbortLog - abort "
          + "forged\\r\\u001b[2K\\u2028x)" + System.lineSeparator()).doesNotContain("\u001b");
    } finally {
      context.stop();
    }
  }
}

package io.pgvigil.daemon.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
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
  void theShippedTextLogWritesAMessageWithLineBreaksOnOneLine() {
    LoggerContext context = configured(Map.of());
    try {
      String written = written(context);

      assertThat(written.lines()).hasSize(1);
      assertThat(written).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d) INFO  "
          + "WindowRegistry - (?s).*")
          .endsWith("window opened (deploy 42\\n2026-12-01T00:00:00Z WARN  AbortLog - abort "
              + "forged\\r\\u001b[2K\\u2028x)" + System.lineSeparator())
          .doesNotContain("\u001b");
    } finally {
      context.stop();
    }
  }

  @Test
  void jsonLogsWriteOneObjectPerEventHoldingTheTextAsItWas() throws Exception {
    LoggerContext context = configured(Map.of("PGVIGIL_LOG_FORMAT", "JSON"));
    try {
      String written = written(context);

      assertThat(written.lines()).hasSize(1);
      JsonNode event = new ObjectMapper().readTree(written);
      assertThat(event.get("level").asText()).isEqualTo("INFO");
      assertThat(event.get("loggerName").asText()).isEqualTo("io.pgvigil.daemon.windows.WindowRegistry");
      assertThat(event.get("message").asText()).isEqualTo("window opened ({})");
      assertThat(event.get("formattedMessage").asText()).isEqualTo("window opened (" + FORGED + ")");
    } finally {
      context.stop();
    }
  }

  @Test
  void jsonLogsEscapeDelC1AndTheLineSeparatorsToo() throws Exception {
    String text = "a\u007fb\u0085c\u009b2Kd\u2028e\u2029f é ü €";
    LoggerContext context = configured(Map.of("PGVIGIL_LOG_FORMAT", "json"));
    try {
      String written = written(context, text);

      assertThat(written).doesNotContain("\u007f", "\u0085", "\u009b", "\u2028", "\u2029")
          .contains("a\\u007fb\\u0085c\\u009b2Kd\\u2028e\\u2029f é ü €");
      assertThat(new ObjectMapper().readTree(written).get("formattedMessage").asText())
          .isEqualTo("window opened (" + text + ")");
    } finally {
      context.stop();
    }
  }

  @Test
  void aLogbackConfigurationFileLogbackCannotFindIsSaidAndTheseSettingsUsed() throws Exception {
    assertThat(StderrLogging.namesAConfiguration("missing-logback.xml", getClass().getClassLoader())).isFalse();
    assertThat(StderrLogging.namesAConfiguration("file:/nonexistent/logback.xml", getClass().getClassLoader()))
        .isFalse();
    assertThat(StderrLogging.namesAConfiguration("logback-test.xml", getClass().getClassLoader()))
        .as("a class path resource").isTrue();
    Path file = Files.createTempFile("logback", ".xml");
    try {
      assertThat(StderrLogging.namesAConfiguration(file.toString(), getClass().getClassLoader())).isTrue();
      assertThat(StderrLogging.namesAConfiguration(file.toUri().toString(), getClass().getClassLoader())).isTrue();
    } finally {
      Files.delete(file);
    }

    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter());
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      assertThat(new StderrLogging(Map.<String, String>of()::get).configure(context, "/nonexistent/logback.xml"))
          .isEqualTo(Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
    } finally {
      System.setErr(err);
    }
    try {
      assertThat(captured.toString(StandardCharsets.UTF_8)).contains("ERROR StderrLogging - "
          + "logback.configurationFile names '/nonexistent/logback.xml', which is no URL, class path resource or file");
      assertThat(written(context)).contains(" INFO  WindowRegistry - window opened");
    } finally {
      context.stop();
    }
  }

  @Test
  void theRootLevelComesFromTheEnvironmentAndTheChattyLibrariesSayOnlyWarnings() {
    LoggerContext quiet = configured(Map.of("PGVIGIL_LOG_LEVEL", "warn"));
    LoggerContext plain = configured(Map.of());
    try {
      assertThat(quiet.getLogger(Logger.ROOT_LOGGER_NAME).getLevel()).isEqualTo(Level.WARN);
      assertThat(plain.getLogger(Logger.ROOT_LOGGER_NAME).getLevel()).isEqualTo(Level.INFO);
      assertThat(plain.getLogger("io.vertx.core.impl.X").getEffectiveLevel()).isEqualTo(Level.WARN);
      assertThat(plain.getLogger("org.flywaydb.core.Flyway").getEffectiveLevel()).isEqualTo(Level.WARN);
      assertThat(plain.getLogger("io.pgvigil.checks.embedded.EmbeddedPostgres").getEffectiveLevel())
          .isEqualTo(Level.WARN);
    } finally {
      quiet.stop();
      plain.stop();
    }
  }

  @Test
  void anUnknownFormatOrLevelIsSaidOnStderrAndTheDefaultUsed() {
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    LoggerContext context;
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      context = configured(Map.of("PGVIGIL_LOG_FORMAT", "xml", "PGVIGIL_LOG_LEVEL", "loud"));
    } finally {
      System.setErr(err);
    }
    try {
      assertThat(captured.toString(StandardCharsets.UTF_8)).contains(
          "ERROR StderrLogging - PGVIGIL_LOG_FORMAT was 'xml' but must be text or json: logging as text",
          "ERROR StderrLogging - PGVIGIL_LOG_LEVEL was 'LOUD' but must be one of");
      assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getLevel()).isEqualTo(Level.INFO);
      assertThat(written(context)).contains(" INFO  WindowRegistry - window opened");
    } finally {
      context.stop();
    }
  }

  private static LoggerContext configured(Map<String, String> settings) {
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter()); // as logback's SLF4J provider does
    new StderrLogging(settings::get).apply(context);
    return context;
  }

  /** What the root's appender writes for an INFO event whose argument is {@link #FORGED}, passed raw. */
  private static String written(LoggerContext context) {
    return written(context, FORGED);
  }

  /** What the root's appender writes for an INFO event whose argument is {@code argument}, passed raw. */
  private static String written(LoggerContext context, String argument) {
    Logger logger = context.getLogger("io.pgvigil.daemon.windows.WindowRegistry");
    Iterator<Appender<ILoggingEvent>> appenders = context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders();
    assertThat(appenders.hasNext()).isTrue();
    OutputStreamAppender<ILoggingEvent> appender = (OutputStreamAppender<ILoggingEvent>) appenders.next();
    assertThat(appenders.hasNext()).as("one appender, stderr").isFalse();
    // Passed raw, as a call site that forgot UntrustedText would.
    LoggingEvent event = new LoggingEvent(Logger.FQCN, logger, Level.INFO, "window opened ({})", null,
        new Object[] {argument});
    return new String(appender.getEncoder().encode(event), StandardCharsets.UTF_8);
  }
}

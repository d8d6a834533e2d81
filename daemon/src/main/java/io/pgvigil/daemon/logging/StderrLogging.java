package io.pgvigil.daemon.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.io.File;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * pgvigil's logging, set up in code (found by logback through {@code META-INF/services}): an XML configuration costs
 * the start of every command some 500 classes of logback's configuration framework, about a third of a second.
 *
 * <p>Logs go to stderr, always: stdout is the document (a drift or review report in JSON or SARIF, check-config's
 * summary) and must parse as it comes, piped to jq, say; container runtimes collect stderr as well. One event is one
 * line: {@code PGVIGIL_LOG_FORMAT=text} (the default) writes {@code 2026-01-01T12:00:00.000Z INFO  Logger - message}
 * with line breaks and control characters in the message escaped ({@link OneLineMessageConverter}), so text from a
 * request or from {@code pg_stat_activity} cannot forge log lines; {@code json} writes one JSON object per line with
 * logback's own {@link JsonEncoder}, whose strings escape line breaks and C0 controls, and which
 * {@link OneLineJsonEncoder} makes escape DEL, C1 and U+2028/U+2029 as well. The root level is {@code PGVIGIL_LOG_LEVEL}
 * (default INFO); Netty, Vert.x, Flyway and the embedded PostgreSQL launcher say only warnings. Each variable may be a
 * system property as well, as it could in the XML configuration this replaced. A value that is neither is told on
 * stderr in the chosen format and the default used: logging starts wherever the first logger is asked for, too late
 * and in too many places to stop a command.
 *
 * <p>A {@code logback-test.xml} on the class path (the tests') or a {@code -Dlogback.configurationFile} that logback
 * can find wins: this configurator then steps aside for logback's own. One it cannot find is said as an ERROR, and
 * this configuration used.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_NORMAL_PRIORITY)
public final class StderrLogging extends ContextAwareBase implements Configurator {

  static final String LEVEL = "PGVIGIL_LOG_LEVEL";
  static final String CONFIGURATION_FILE = "logback.configurationFile";
  static final String FORMAT = "PGVIGIL_LOG_FORMAT";
  static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %logger{0} - %msg%n";
  private static final Set<String> QUIET = Set.of("io.netty", "io.vertx", "org.flywaydb",
      // The demo prints its own progress; the launcher says more only when something is wrong.
      "io.pgvigil.checks.embedded");
  private static final Set<String> LEVELS = Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF", "ALL");

  private final Function<String, String> settings;

  /** As logback makes it: the settings from system properties, then the environment. */
  public StderrLogging() {
    this(name -> {
      String property = System.getProperty(name);
      return property != null ? property : System.getenv(name);
    });
  }

  /** @param settings a variable's value by name, null when unset */
  StderrLogging(Function<String, String> settings) {
    this.settings = settings;
  }

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    return configure(context, System.getProperty(CONFIGURATION_FILE));
  }

  /** @param configurationFile {@code -Dlogback.configurationFile}, null when unset */
  ExecutionStatus configure(LoggerContext context, String configurationFile) {
    ClassLoader loader = getClass().getClassLoader();
    if (configurationFile == null ? loader.getResource("logback-test.xml") != null
        : namesAConfiguration(configurationFile, loader)) {
      return ExecutionStatus.NEUTRAL;
    }
    apply(context);
    if (configurationFile != null) {
      // Stepping aside here would leave logback with nothing to read: it falls back to DEBUG on stdout, into the
      // document a --format json run writes there.
      context.getLogger(StderrLogging.class).error("{} names '{}', which is no URL, class path resource or file: "
          + "logging as {} and {} say", CONFIGURATION_FILE, UntrustedText.of(configurationFile), FORMAT, LEVEL);
    }
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /**
   * Whether logback finds a configuration at {@code value}, looked up as its DefaultJoranConfigurator does: a URL, else
   * a class path resource, else a file that exists. A {@code file:} URL must name an existing file too.
   */
  static boolean namesAConfiguration(String value, ClassLoader loader) {
    try {
      URL url = new URL(value);
      if (!url.getProtocol().equals("file")) {
        return true;
      }
      try {
        return Files.isRegularFile(Path.of(url.toURI()));
      } catch (URISyntaxException | IllegalArgumentException | FileSystemNotFoundException e) {
        return false;
      }
    } catch (MalformedURLException e) {
      return loader.getResource(value) != null || new File(value).isFile();
    }
  }

  /** Sets {@code context} up as the settings say, whatever else is on the class path. */
  void apply(LoggerContext context) {
    String format = setting(FORMAT, "text").toLowerCase(Locale.ROOT);
    String level = setting(LEVEL, "INFO").toUpperCase(Locale.ROOT);
    boolean json = format.equals("json");
    ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setContext(context);
    stderr.setName("STDERR");
    stderr.setTarget("System.err");
    stderr.setEncoder(json ? json(context) : text(context));
    stderr.start();
    ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.addAppender(stderr);
    root.setLevel(LEVELS.contains(level) ? Level.toLevel(level) : Level.INFO);
    QUIET.forEach(name -> context.getLogger(name).setLevel(Level.WARN));
    ch.qos.logback.classic.Logger self = context.getLogger(StderrLogging.class);
    if (!json && !format.equals("text")) {
      self.error("{} was '{}' but must be text or json: logging as text", FORMAT, UntrustedText.of(format));
    }
    if (!LEVELS.contains(level)) {
      self.error("{} was '{}' but must be one of TRACE, DEBUG, INFO, WARN, ERROR or OFF: logging at INFO", LEVEL,
          UntrustedText.of(level));
    }
  }

  private String setting(String name, String absent) {
    String value = settings.apply(name);
    return value == null || value.isBlank() ? absent : value.strip();
  }

  private static Encoder<ILoggingEvent> text(LoggerContext context) {
    PatternLayout layout = new PatternLayout();
    layout.setContext(context);
    layout.setPattern(PATTERN);
    for (String word : new String[] {"msg", "m", "message"}) {
      layout.getInstanceConverterMap().put(word, OneLineMessageConverter::new);
    }
    layout.start();
    LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
    encoder.setContext(context);
    encoder.setLayout(layout);
    encoder.start();
    return encoder;
  }

  private static Encoder<ILoggingEvent> json(LoggerContext context) {
    JsonEncoder encoder = new OneLineJsonEncoder();
    encoder.setContext(context);
    // The message as written (formattedMessage) beside its template and arguments; the logger context's name and
    // birth are the same on every line.
    encoder.setWithFormattedMessage(true);
    encoder.setWithContext(false);
    encoder.start();
    return encoder;
  }
}

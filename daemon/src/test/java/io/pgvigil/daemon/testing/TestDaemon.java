package io.pgvigil.daemon.testing;

import io.pgvigil.checks.testing.TestPostgres;
import io.pgvigil.daemon.config.ConfigException;
import io.pgvigil.daemon.config.ConfigLoader;
import io.pgvigil.daemon.config.PgvigilConfig;
import io.pgvigil.daemon.runtime.RunningDaemon;
import io.pgvigil.daemon.runtime.TestStorage;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A daemon for a test, on 127.0.0.1 and an ephemeral port, its config written as a user would write it:
 *
 * <pre>{@code
 * try (RunningDaemon daemon = TestDaemon.watching(pg).watch("interval: 250ms, windowInterval: 100ms")
 *     .with("rules:\n  lockQueue: { warn: 1, abort: 2 }").in(dir).start()) { ... }
 * }</pre>
 */
public final class TestDaemon {

  private static final Duration MAX_BACKOFF = Duration.ofSeconds(1);

  /** A target: its name, URL, replicas and further settings, each a YAML flow-map entry. */
  private record Target(String name, String url, List<String> replicas, List<String> settings) {}

  private final List<Target> targets = new ArrayList<>();
  private final List<String> sections = new ArrayList<>();
  private final Map<String, String> env = new HashMap<>();
  private String watch;
  private String server = "listen: 127.0.0.1:0";
  private Path dir = Path.of(".");
  private Duration maxBackoff = MAX_BACKOFF;

  private TestDaemon() {}

  /** Watches {@code pg} as the target {@code app}. */
  public static TestDaemon watching(TestPostgres pg) {
    return watching("app", pg.uri());
  }

  /** Watches the target {@code name} at {@code url}. */
  public static TestDaemon watching(String name, String url) {
    return new TestDaemon().and(name, url);
  }

  /** Another target. */
  public TestDaemon and(String name, String url) {
    targets.add(new Target(name, url, new ArrayList<>(), new ArrayList<>()));
    return this;
  }

  /** A replica of the last target. */
  public TestDaemon replica(String name, String url) {
    targets.get(targets.size() - 1).replicas().add("{ name: " + name + ", url: \"" + url + "\" }");
    return this;
  }

  /** More settings of the last target, e.g. {@code "drift: { interval: 1h }"}. */
  public TestDaemon settings(String settings) {
    targets.get(targets.size() - 1).settings().add(settings);
    return this;
  }

  /** Every target's {@code watch:} settings, e.g. {@code "interval: 250ms, windowInterval: 100ms"}. */
  public TestDaemon watch(String settings) {
    watch = settings;
    return this;
  }

  /** The {@code server:} settings besides {@code listen}, e.g. {@code "apiToken: secret"}. */
  public TestDaemon server(String settings) {
    server += ", " + settings;
    return this;
  }

  /** A top-level section of the config, e.g. {@code rules:}, {@code killSwitch:} or {@code alerts:}. */
  public TestDaemon with(String section) {
    sections.add(section.endsWith("\n") ? section : section + "\n");
    return this;
  }

  /** A variable {@code ${env:NAME}} in the config resolves to. */
  public TestDaemon env(String name, String value) {
    env.put(name, value);
    return this;
  }

  /** Where relative paths in the config (spool, migrations) resolve; the working directory if not said. */
  public TestDaemon in(Path dir) {
    this.dir = dir;
    return this;
  }

  /** The longest backoff between reconnects of a target that is down: 1 s unless said. */
  public TestDaemon maxBackoff(Duration maxBackoff) {
    this.maxBackoff = maxBackoff;
    return this;
  }

  private String yaml() {
    StringBuilder out = new StringBuilder("server: { " + server + " }\ntargets:\n");
    for (Target target : targets) {
      List<String> entries = new ArrayList<>(List.of("name: " + target.name(), "url: \"" + target.url() + "\""));
      if (!target.replicas().isEmpty()) {
        entries.add("replicas: [" + String.join(", ", target.replicas()) + "]");
      }
      entries.addAll(target.settings());
      if (watch != null) {
        entries.add("watch: { " + watch + " }");
      }
      out.append("  - { ").append(String.join(", ", entries)).append(" }\n");
    }
    sections.forEach(out::append);
    return out.toString();
  }

  public PgvigilConfig config() throws ConfigException {
    return new ConfigLoader(env).parse(yaml(), dir, "config");
  }

  /** Starts the daemon and returns once it listens. */
  public RunningDaemon start() throws Exception {
    return RunningDaemon.start(config(), TestStorage.storage(), maxBackoff, Clock.systemUTC());
  }

  /** Starts a daemon for a config made elsewhere (one config for two daemons in turn). */
  public static RunningDaemon start(PgvigilConfig config) throws Exception {
    return RunningDaemon.start(config, TestStorage.storage(), MAX_BACKOFF, Clock.systemUTC());
  }

  /** Starts a daemon for a config file. */
  public static RunningDaemon start(Path configFile) throws Exception {
    return start(new ConfigLoader(Map.of()).load(configFile));
  }
}

package io.pgvigil.daemon.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.pgvigil.common.SecretValue;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Loads and validates pgvigil's YAML configuration. Jackson only builds the tree; the walk is
 * ours so every problem carries its path and all of them are reported together.
 */
public final class ConfigLoader {

  private final Map<String, String> environment;
  private final Optional<MachineChecks> machine;
  private final ObjectMapper yaml;

  /** @param environment where {@code ${env:NAME}} looks; production passes {@code System.getenv()} */
  public ConfigLoader(Map<String, String> environment) {
    this(environment, Optional.empty());
  }

  /** Also checks what {@code run} needs from this machine, so {@code run} and {@code check-config} agree. */
  public ConfigLoader(Map<String, String> environment, MachineChecks machine) {
    this(environment, Optional.of(machine));
  }

  private ConfigLoader(Map<String, String> environment, Optional<MachineChecks> machine) {
    this.machine = machine;
    this.environment = Map.copyOf(environment);
    // A repeated key silently overriding the first is how a "fixed" threshold never takes effect.
    this.yaml = new ObjectMapper(YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());
  }

  public PgvigilConfig load(Path file) throws ConfigException {
    try {
      if (Files.isDirectory(file)) {
        throw single(file.toString(), "is a directory; give the path of the YAML config file");
      }
      return parse(Files.readString(file), file.toAbsolutePath().getParent(),
          String.valueOf(file.getFileName()));
    } catch (NoSuchFileException e) {
      throw single(file.toString(), "config file not found; check the path (relative paths start at "
          + "the working directory)");
    } catch (AccessDeniedException e) {
      throw single(file.toString(), "config file is not readable by this user; check its permissions");
    } catch (IOException e) {
      throw single(file.toString(), "config file cannot be read (" + e.getClass().getSimpleName() + ")");
    }
  }

  /** Relative paths resolve against {@code baseDir}; YAML syntax errors name the source. */
  public PgvigilConfig parse(String yamlText, Path baseDir, String sourceName) throws ConfigException {
    JsonNode tree = readTree(yamlText, sourceName);
    if (tree == null || tree.isMissingNode() || tree.isNull()) {
      throw single(sourceName, "the file is empty; it needs at least a targets: list");
    }
    Path base = baseDir.toAbsolutePath().normalize();
    List<ConfigProblem> problems = new ArrayList<>();
    ConfigNode root = ConfigNode.root(tree, sourceName, new Substitution(environment, base), problems);
    if (!root.mapping("top-level key", List.of("server", "targets", "rules", "alerts", "killSwitch"))) {
      throw new ConfigException(problems);
    }
    ServerConfig server = readServer(root.get("server"));
    TargetReader targetReader = new TargetReader(base);
    List<TargetConfig> targets = targetReader.read(root.get("targets"));
    Rules rules = PolicyReader.readRules(root.get("rules"));
    AlertsConfig alerts = new AlertsReader(base, targetReader.names()).read(root.get("alerts"));
    KillSwitchConfig killSwitch = PolicyReader.readKillSwitch(root.get("killSwitch"));
    machine.ifPresent(m -> {
      m.listen(root.get("server").get("listen"), server);
      m.spool(root.get("alerts").get("spool").get("directory"), alerts);
    });
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return new PgvigilConfig(server, targets, rules, alerts, killSwitch);
  }

  private JsonNode readTree(String yamlText, String sourceName) throws ConfigException {
    try {
      return yaml.readTree(yamlText);
    } catch (JsonProcessingException e) {
      JsonLocation location = e.getLocation();
      String where = location == null ? sourceName
          : sourceName + ":" + location.getLineNr() + ":" + location.getColumnNr();
      throw single(where, yamlReason(e));
    }
  }

  /**
   * SnakeYAML's short "problem" when there is one (its full message goes on to echo the offending text, which may be a
   * secret); otherwise the first line of Jackson's message.
   */
  private static String yamlReason(JsonProcessingException e) {
    String original = Optional.ofNullable(e.getOriginalMessage()).orElse("unreadable");
    String reason = original.lines().findFirst().orElse(original).trim();
    if (reason.startsWith("Duplicate field ")) {
      return "duplicate key " + reason.substring("Duplicate field ".length())
          + "; each key may appear only once in a mapping";
    }
    if (e.getCause() instanceof MarkedYAMLException marked && marked.getProblem() != null) {
      reason = marked.getProblem().trim();
      if (String.valueOf(marked.getContext()).contains("flow")) {
        // The usual culprit: an unquoted ${env:NAME} inside { ... }, where '{' and '}' are syntax.
        reason += " (inside { } or [ ], quote values containing { } [ ] or commas, e.g. \"${env:NAME}\")";
      }
    }
    return "malformed YAML: " + reason;
  }

  private ServerConfig readServer(ConfigNode server) {
    if (!server.mapping("listen", "apiToken", "readToken")) {
      return ServerConfig.DEFAULT;
    }
    Optional<SecretValue> apiToken = server.get("apiToken").secret("an API token");
    Optional<SecretValue> readToken = server.get("readToken").secret("a token for the read API");
    ConfigNode listenNode = server.get("listen");
    Optional<ConfigNode.Scalar> listen = listenNode.scalar("host:port such as 0.0.0.0:8080");
    if (listen.isEmpty()) {
      return new ServerConfig(ServerConfig.DEFAULT_LISTEN_HOST, ServerConfig.DEFAULT_LISTEN_PORT, apiToken, readToken);
    }
    Optional<ListenAddress> address = ListenAddress.parse(listen.get().value());
    if (address.isEmpty()) {
      listenNode.problem("'" + listen.get().display() + "' must be host:port with a port from 0 to 65535 "
          + "(0 picks a free port), e.g. 0.0.0.0:8080");
      return ServerConfig.DEFAULT;
    }
    return new ServerConfig(address.get().host(), address.get().port(), apiToken, readToken);
  }

  private static ConfigException single(String path, String message) {
    return new ConfigException(List.of(new ConfigProblem(path, message)));
  }
}

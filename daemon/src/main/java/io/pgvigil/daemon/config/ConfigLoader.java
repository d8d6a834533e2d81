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
    return new PgvigilConfig(server, targets, rules, alerts, killSwitch, targetReader.servers());
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
    if (!server.mapping("listen", "apiToken", "readToken", "instance", "cluster")) {
      return ServerConfig.DEFAULT;
    }
    Optional<SecretValue> apiToken = server.get("apiToken").secret("an API token");
    Optional<SecretValue> readToken = server.get("readToken").secret("a token for the read API");
    Optional<String> instance = memberName(server.get("instance"), "pgvigil-0");
    ClusterConfig cluster = readCluster(server.get("cluster"));
    ConfigNode listenNode = server.get("listen");
    Optional<ConfigNode.Scalar> listen = listenNode.scalar("host:port such as 0.0.0.0:8080");
    ListenAddress address = new ListenAddress(ServerConfig.DEFAULT_LISTEN_HOST, ServerConfig.DEFAULT_LISTEN_PORT);
    if (listen.isPresent()) {
      Optional<ListenAddress> parsed = ListenAddress.parse(listen.get().value());
      if (parsed.isEmpty()) {
        listenNode.problem("'" + listen.get().display() + "' must be host:port with a port from 0 to 65535 "
            + "(0 picks a free port), e.g. 0.0.0.0:8080");
      } else {
        address = parsed.get();
      }
    }
    return new ServerConfig(address.host(), address.port(), apiToken, readToken, instance, cluster);
  }

  private static ClusterConfig readCluster(ConfigNode node) {
    if (!node.mapping("enabled", "name", "host", "port", "eventBusPort", "peers", "kubernetes", "secret")) {
      return ClusterConfig.OFF;
    }
    ConfigNode kubernetes = node.get("kubernetes");
    Optional<String> serviceDns = kubernetes.mapping("serviceDns")
        ? kubernetes.get("serviceDns").text("a DNS name such as pgvigil-cluster.monitoring.svc.cluster.local")
            .filter(s -> !s.isBlank())
        : Optional.empty();
    List<String> peers = new ArrayList<>();
    for (ConfigNode peer : node.get("peers").list("[\"10.0.0.7:5701\", \"10.0.0.8:5701\"]")) {
      peer.scalar("host:port such as 10.0.0.7:5701").ifPresent(p -> {
        if (ListenAddress.parse(p.value()).filter(a -> a.port() > 0).isEmpty()) {
          peer.problem("'" + p.display() + "' must be host:port with a port from 1 to 65535, e.g. 10.0.0.7:5701");
        } else {
          peers.add(p.value().trim());
        }
      });
    }
    return new ClusterConfig(node.get("enabled").bool().orElse(false),
        memberName(node.get("name"), ClusterConfig.DEFAULT_NAME).orElse(ClusterConfig.DEFAULT_NAME),
        node.get("host").text("an address such as 10.0.0.7").filter(h -> !h.isBlank()),
        port(node.get("port"), 1, ClusterConfig.DEFAULT_PORT),
        port(node.get("eventBusPort"), 0, ClusterConfig.DEFAULT_EVENT_BUS_PORT), List.copyOf(peers),
        serviceDns, clusterSecret(node.get("secret")));
  }

  /** The key of the shared records' MACs: long enough that it cannot be guessed; its value never in a problem. */
  private static Optional<SecretValue> clusterSecret(ConfigNode node) {
    Optional<SecretValue> secret =
        node.secret("a secret every instance shares, e.g. \"${env:PGVIGIL_CLUSTER_SECRET}\"");
    if (secret.isPresent() && secret.get().reveal().length() < ClusterConfig.MIN_SECRET_LENGTH) {
      node.problem("is shorter than " + ClusterConfig.MIN_SECRET_LENGTH + " characters; use a random value "
          + "such as the output of 'openssl rand -base64 32'");
      return Optional.empty();
    }
    return secret;
  }

  /** An instance or cluster name: what Kubernetes allows in a pod name. */
  private static Optional<String> memberName(ConfigNode node, String example) {
    return node.scalar("a name such as " + example).filter(s -> !s.value().isBlank()).filter(name -> {
      boolean valid = name.value().matches("[A-Za-z0-9][A-Za-z0-9._-]{0,252}");
      if (!valid) {
        node.problem("'" + name.display() + "' is not a valid name; use letters, digits, '.', '_' or '-', "
            + "starting with a letter or digit, at most 253 characters");
      }
      return valid;
    }).map(ConfigNode.Scalar::value);
  }

  private static int port(ConfigNode node, int min, int absent) {
    return node.scalar("a port such as " + absent).map(p -> {
      if (!p.value().matches("\\d{1,5}") || Integer.parseInt(p.value()) > 65535 || Integer.parseInt(p.value()) < min) {
        node.problem("'" + p.display() + "' must be a port from " + min + " to 65535");
        return absent;
      }
      return Integer.parseInt(p.value());
    }).orElse(absent);
  }

  private static ConfigException single(String path, String message) {
    return new ConfigException(List.of(new ConfigProblem(path, message)));
  }
}

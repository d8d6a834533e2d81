package io.pgvigil.daemon.testing;

import static org.awaitility.Awaitility.await;

import io.pgvigil.daemon.runtime.Http;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;

/**
 * {@code pgvigil run} processes ({@link DaemonProcess}) as members of one cluster on 127.0.0.1:
 * each has its HTTP port and Hazelcast port, and every member lists all of them as peers. A
 * member's config is its {@code server} block, written here, followed by what the test gives.
 * {@link #close()} kills whatever still runs.
 *
 * <pre>{@code
 * try (ProcessCluster cluster = new ProcessCluster(dir, "my-it", 2)) {
 *   Member a = cluster.start("a", "apiToken: t", "targets: ...");
 *   Member b = cluster.start("b", "apiToken: t", "targets: ...");
 *   Member owner = cluster.awaitOwner("app", Duration.ofSeconds(120));
 * }
 * }</pre>
 */
public final class ProcessCluster implements AutoCloseable {

  /** One instance: its process and its API. */
  public record Member(String name, Process process, Http api) {

    /** Whether this instance owns {@code target} ({@code GET /api/v1/targets}, {@code ownedHere}). */
    public boolean ownedHere(String target) {
      return target(target).getBoolean("ownedHere");
    }

    /** The instance this one says owns {@code target}, or null. */
    public String owner(String target) {
      return target(target).getString("owner");
    }

    private JsonObject target(String name) {
      return new JsonObject(api.get("/api/v1/targets").body()).getJsonArray("targets").stream()
          .map(JsonObject.class::cast).filter(t -> t.getString("name").equals(name)).findFirst().orElseThrow();
    }
  }

  private final Path dir;
  private final String name;
  private final List<Integer> clusterPorts = new ArrayList<>();
  private final List<Member> members = new ArrayList<>();

  /** @param size how many members the cluster will have (their peers are known from the start) */
  public ProcessCluster(Path dir, String name, int size) {
    this.dir = dir;
    this.name = name;
    for (int i = 0; i < size; i++) {
      clusterPorts.add(Ports.free());
    }
  }

  /**
   * Starts the next member in {@code dir/<instance>}.
   *
   * @param server more lines of the {@code server} block ({@code "apiToken: t"}), or ""
   * @param config the rest of the config: targets, rules, alerts
   */
  public Member start(String instance, String server, String config) throws Exception {
    if (members.size() == clusterPorts.size()) {
      throw new IllegalStateException("the cluster has " + clusterPorts.size() + " members already");
    }
    int http = Ports.free();
    String peers = clusterPorts.stream().map(p -> "\"127.0.0.1:" + p + "\"").collect(Collectors.joining(", "));
    String yaml = """
        server:
          listen: 127.0.0.1:%d
          instance: %s
          cluster: { enabled: true, name: %s, host: 127.0.0.1, port: %d, eventBusPort: 0, peers: [%s] }
        """.formatted(http, instance, name, clusterPorts.get(members.size()), peers)
        + server.lines().map(line -> "  " + line + "\n").collect(Collectors.joining()) + config;
    Member member = new Member(instance, DaemonProcess.start(dir.resolve(instance), yaml), new Http(http));
    members.add(member);
    return member;
  }

  /**
   * Waits until every member answers, names the same owner of {@code target}, and exactly one
   * says it owns it: the cluster formed. Returns that one.
   */
  public Member awaitOwner(String target, Duration atMost) {
    try {
      await().atMost(atMost).ignoreExceptionsInstanceOf(UncheckedIOException.class).until(() -> {
        if (members.stream().anyMatch(m -> !m.process().isAlive())) {
          throw new AssertionError("a member exited:" + logs());
        }
        List<String> named = members.stream().map(m -> m.owner(target)).distinct().toList();
        return named.size() == 1 && named.get(0) != null
            && members.stream().filter(m -> m.ownedHere(target)).count() == 1;
      });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("no single owner of " + target + " within " + atMost + ":" + logs(), e);
    }
    return members.stream().filter(m -> m.ownedHere(target)).findFirst().orElseThrow();
  }

  /** The last lines each member wrote, for a failure message. */
  public String logs() {
    StringBuilder text = new StringBuilder();
    for (Member m : members) {
      Path log = dir.resolve(m.name()).resolve("daemon.log");
      try {
        List<String> lines = Files.readAllLines(log);
        text.append(System.lineSeparator()).append("--- ").append(m.name())
            .append(m.process().isAlive() ? "" : " (exited)")
            .append(": last lines of ").append(log).append(System.lineSeparator())
            .append(String.join(System.lineSeparator(), lines.subList(Math.max(0, lines.size() - 40), lines.size())));
      } catch (IOException e) {
        text.append(System.lineSeparator()).append("--- ").append(m.name()).append(": ").append(e);
      }
    }
    return text.toString();
  }

  public List<Member> members() {
    return List.copyOf(members);
  }

  @Override
  public void close() throws Exception {
    members.forEach(m -> m.process().destroyForcibly());
    for (Member m : members) {
      m.process().waitFor(10, TimeUnit.SECONDS);
    }
  }
}

package io.pgvigil.alerts;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Runs a configured command (argv, never through a shell, so no value is ever parsed as shell syntax) with the event in
 * {@code PGVIGIL_*} environment variables, through {@code executeBlocking} because {@link Process#waitFor} blocks. The
 * child gets only {@code PATH}, {@code LANG}, {@code HOME} and {@code TZ} from the daemon's environment: the daemon's
 * environment holds secrets ({@code ${env:…}} in the config), which a hook must not inherit. A command still running at
 * the timeout is killed and reported failed.
 *
 * <p>Variables: PGVIGIL_TARGET, PGVIGIL_RULE, PGVIGIL_ACTION, PGVIGIL_SEVERITY, PGVIGIL_VALUE, PGVIGIL_THRESHOLD,
 * PGVIGIL_WINDOW_ID, PGVIGIL_PIDS (comma-separated), PGVIGIL_SUMMARY, PGVIGIL_AT (ISO-8601); absent values are empty
 * strings.
 */
public final class ExecHook implements Hook {

  private static final List<String> INHERITED = List.of("PATH", "LANG", "HOME", "TZ");
  private static final int MAX_OUTPUT = 2000;

  private final Vertx vertx;
  private final List<String> command;
  private final Duration timeout;

  public ExecHook(Vertx vertx, List<String> command, Duration timeout) {
    if (command.isEmpty()) {
      throw new IllegalArgumentException("exec hook needs a command");
    }
    this.vertx = vertx;
    this.command = List.copyOf(command);
    this.timeout = timeout;
  }

  @Override
  public Future<HookResult> run(HookEvent event) {
    return vertx.executeBlocking(() -> runBlocking(event), false)
        .recover(err -> Future.succeededFuture(HookResult.failed(
            command.get(0) + ": " + err.getClass().getSimpleName() + ": " + err.getMessage())));
  }

  private static void putEnvironment(Map<String, String> env, HookEvent e) {
    env.put("PGVIGIL_TARGET", Objects.toString(e.target(), ""));
    env.put("PGVIGIL_RULE", Objects.toString(e.rule(), ""));
    env.put("PGVIGIL_ACTION", Objects.toString(e.action(), ""));
    env.put("PGVIGIL_SEVERITY", e.severity() == null ? "" : e.severity().wireName());
    env.put("PGVIGIL_VALUE", Objects.toString(e.value(), ""));
    env.put("PGVIGIL_THRESHOLD", Objects.toString(e.threshold(), ""));
    env.put("PGVIGIL_WINDOW_ID", Objects.toString(e.windowId(), ""));
    env.put("PGVIGIL_PIDS", e.pids().stream().map(String::valueOf).collect(Collectors.joining(",")));
    env.put("PGVIGIL_SUMMARY", Objects.toString(e.summary(), ""));
    env.put("PGVIGIL_AT", Objects.toString(e.at(), ""));
  }

  private HookResult runBlocking(HookEvent event) throws IOException, InterruptedException {
    Path output = Files.createTempFile("pgvigil-hook-", ".out");
    try {
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(output.toFile()).redirectInput(ProcessBuilder.Redirect.from(
              Path.of(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null").toFile()));
      Map<String, String> env = pb.environment();
      env.keySet().retainAll(INHERITED);
      putEnvironment(env, event);
      Process p = pb.start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
        return HookResult.failed(command.get(0) + " timed out after " + timeout.toMillis() + " ms and was killed");
      }
      String out = tail(output);
      return p.exitValue() == 0 ? HookResult.ok(out)
          : HookResult.failed(command.get(0) + " exited " + p.exitValue() + ": " + out);
    } finally {
      Files.deleteIfExists(output);
    }
  }

  private static String tail(Path output) throws IOException {
    String s = Files.readString(output, StandardCharsets.UTF_8).strip();
    return s.length() <= MAX_OUTPUT ? s : "…" + s.substring(s.length() - MAX_OUTPUT);
  }

  @Override
  public String toString() {
    return "ExecHook" + command;
  }
}

package io.pgvigil.daemon.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code java -jar target/pgvigil.jar …} as a real child process, the way
 * users and Kubernetes run it, with its output collected for assertions.
 */
final class JarProcess implements AutoCloseable {

  /** Variables of the build's environment the child does not get unless a test sets them. */
  static final List<String> INHERITED_NOT = List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS",
      "PGVIGIL_LOG_FORMAT", "PGVIGIL_LOG_LEVEL");

  private final Process process;
  private final StringBuffer output = new StringBuffer();
  private final Thread reader;

  private JarProcess(Process process) {
    this.process = process;
    this.reader = new Thread(this::pump, "pgvigil-output");
    reader.setDaemon(true);
    reader.start();
  }

  static JarProcess start(String... args) throws IOException {
    return new JarProcess(builder(args).redirectErrorStream(true).start());
  }

  /** What a finished run wrote, stdout and stderr apart. */
  record Finished(int exit, String stdout, String stderr) {}

  /**
   * Runs a command to its end with stdout and stderr kept apart, as a pipe ({@code | jq .}) sees
   * them; the streams go to files in {@code dir} so neither can fill up and block the process.
   */
  static Finished run(Path dir, Duration timeout, String... args) throws IOException, InterruptedException {
    return run(dir, timeout, Map.of(), args);
  }

  /** As {@link #run(Path, Duration, String...)}, with {@code env} added to the environment. */
  static Finished run(Path dir, Duration timeout, Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    Path stdout = Files.createTempFile(dir, "stdout-", ".txt");
    Path stderr = Files.createTempFile(dir, "stderr-", ".txt");
    ProcessBuilder builder = builder(args);
    builder.environment().putAll(env);
    Process process = builder.redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor();
      throw new AssertionError("pgvigil " + String.join(" ", args) + " did not finish within " + timeout
          + "; stderr:\n" + Files.readString(stderr));
    }
    return new Finished(process.exitValue(), Files.readString(stdout), Files.readString(stderr));
  }

  private static ProcessBuilder builder(String... args) {
    Path jar = Path.of("target", "pgvigil.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar.toAbsolutePath() + " is missing: run 'mvn verify'");
    }
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"), "-XX:-UsePerfData",
        "-jar", jar.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    // The demo would page the real services with these set.
    builder.environment().remove("SLACK_WEBHOOK_URL");
    builder.environment().remove("PD_ROUTING_KEY");
    // Tests read stderr line by line: the JVM's "Picked up JAVA_TOOL_OPTIONS" line, or logs in another format or at
    // another level than the test asked for, would not parse. A test that wants them sets them (run's env).
    for (String name : INHERITED_NOT) {
      builder.environment().remove(name);
    }
    return builder;
  }

  private void pump() {
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        output.append(line).append('\n');
      }
    } catch (IOException e) {
      output.append("[output closed: ").append(e.getMessage()).append("]\n");
    }
  }

  String output() {
    return output.toString();
  }

  /** The first group of {@code pattern} in the output so far, or null. */
  String find(Pattern pattern) {
    Matcher m = pattern.matcher(output());
    return m.find() ? m.group(1) : null;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /**
   * Sends SIGTERM and waits for the exit code and the last of the output. Through the
   * process handle: {@link Process#destroy()} would also close the output stream and lose
   * what the process prints while it shuts down.
   */
  int terminate(long timeoutSeconds) throws InterruptedException {
    process.toHandle().destroy();
    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("pgvigil did not exit within " + timeoutSeconds
          + " s of SIGTERM; output:\n" + output());
    }
    reader.join(5_000);
    return process.exitValue();
  }

  /**
   * Stops the process if a test left it running: SIGTERM first, so a demo stops the PostgreSQL
   * servers it started (a SIGKILL would leave them running), then SIGKILL if it hangs.
   */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.toHandle().destroy();
      try {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}

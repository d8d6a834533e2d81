package io.pgvigil.daemon.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code pgvigil run} as a real process with this JVM's classes, so a test can kill it with
 * SIGKILL: its config in {@code home/pgvigil.yaml}, its data directory and java.io.tmpdir under
 * {@code home}, its output in {@code home/daemon.log}.
 */
public final class DaemonProcess {

  private DaemonProcess() {}

  public static Process start(Path home, String config) throws Exception {
    return start(home, config, List.of());
  }

  /** As above, with these JVM options too (a benchmark passes the image's). */
  public static Process start(Path home, String config, List<String> jvmOptions) throws Exception {
    Files.createDirectories(home);
    Path file = home.resolve("pgvigil.yaml");
    Files.writeString(file, config);
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "-Djava.io.tmpdir=" + home, "-XX:-UsePerfData"));
    command.addAll(jvmOptions);
    command.addAll(List.of("io.pgvigil.daemon.cli.Main", "run", "--config", file.toString()));
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true).redirectOutput(home.resolve("daemon.log").toFile());
    builder.environment().put("PGVIGIL_DATA_DIR", home.resolve("data").toString());
    return builder.start();
  }
}

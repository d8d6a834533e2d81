package io.pgvigil.daemon.testing;

import java.io.File;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * {@code pgvigil run} as a real process with this JVM's classes, so a test can kill it with
 * SIGKILL: its config in {@code home/pgvigil.yaml}, its data directory and java.io.tmpdir under
 * {@code home}, its output in {@code home/daemon.log}.
 */
public final class DaemonProcess {

  private DaemonProcess() {}

  public static Process start(Path home, String config) throws Exception {
    Files.createDirectories(home);
    Path file = home.resolve("pgvigil.yaml");
    Files.writeString(file, config);
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", classpath(), "-Djava.io.tmpdir=" + home, "-XX:-UsePerfData", "io.pgvigil.daemon.cli.Main", "run",
        "--config", file.toString())
        .redirectErrorStream(true).redirectOutput(home.resolve("daemon.log").toFile());
    builder.environment().put("PGVIGIL_DATA_DIR", home.resolve("data").toString());
    return builder.start();
  }

  /** The test classpath: java.class.path under Surefire/Failsafe, the class loader's under exec:java. */
  private static String classpath() {
    if (Thread.currentThread().getContextClassLoader() instanceof URLClassLoader loader
        && loader.getURLs().length > 1) {
      return Arrays.stream(loader.getURLs()).map(DaemonProcess::path).collect(Collectors.joining(File.pathSeparator));
    }
    return System.getProperty("java.class.path");
  }

  private static String path(URL url) {
    try {
      return Path.of(url.toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(url.toString(), e);
    }
  }
}

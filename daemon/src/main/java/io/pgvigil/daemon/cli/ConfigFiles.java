package io.pgvigil.daemon.cli;

import io.pgvigil.daemon.config.ConfigException;
import io.pgvigil.daemon.config.ConfigLoader;
import io.pgvigil.daemon.config.ConfigProblem;
import io.pgvigil.daemon.config.MachineChecks;
import io.pgvigil.daemon.config.PgvigilConfig;
import io.pgvigil.daemon.drift.ShadowSettings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;

/** Loads a config file for a command, printing every problem in it when it is invalid. */
final class ConfigFiles {

  private ConfigFiles() {}

  /** The config, or null after printing its problems to {@code err}. */
  static PgvigilConfig load(Path file, PrintWriter err) {
    return load(new ConfigLoader(System.getenv()), file, err);
  }

  /**
   * As {@link #load(Path, PrintWriter)}, also checking what the daemon needs from this machine
   * (listen address, alert spool): {@code run} and {@code check-config} load with this, so a file
   * that check-config passes is one that run starts with.
   */
  static PgvigilConfig loadForDaemon(Path file, PrintWriter err) {
    Map<String, String> env = System.getenv();
    MachineChecks machine = new MachineChecks(ShadowSettings.Storage.fromEnvironment(env).alertSpool());
    return load(new ConfigLoader(env, machine), file, err);
  }

  private static PgvigilConfig load(ConfigLoader loader, Path file, PrintWriter err) {
    try {
      return loader.load(file);
    } catch (ConfigException e) {
      int count = e.problems().size();
      err.println("error: " + file + " is not valid (" + count + (count == 1 ? " problem" : " problems") + "):");
      for (ConfigProblem problem : e.problems()) {
        err.println("  " + problem);
      }
      err.flush();
      return null;
    }
  }
}

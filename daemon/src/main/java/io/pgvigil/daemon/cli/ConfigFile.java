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
import picocli.CommandLine.Option;

/** {@code --config FILE}, loaded for a command, with every problem in it printed when it is invalid. */
final class ConfigFile {

  @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
      description = "The YAML config file.")
  Path path;

  /** The config, or null after printing its problems to {@code err}. */
  PgvigilConfig load(PrintWriter err) {
    return load(new ConfigLoader(System.getenv()), err);
  }

  /**
   * As {@link #load(PrintWriter)}, also checking what the daemon needs from this machine
   * (listen address, alert spool): {@code run} and {@code check-config} load with this, so a file
   * that check-config passes is one that run starts with.
   */
  PgvigilConfig loadForDaemon(PrintWriter err) {
    Map<String, String> env = System.getenv();
    MachineChecks machine = new MachineChecks(ShadowSettings.Storage.fromEnvironment(env).alertSpool());
    return load(new ConfigLoader(env, machine), err);
  }

  private PgvigilConfig load(ConfigLoader loader, PrintWriter err) {
    try {
      return loader.load(path);
    } catch (ConfigException e) {
      int count = e.problems().size();
      err.println("error: " + path + " is not valid (" + count + (count == 1 ? " problem" : " problems") + "):");
      for (ConfigProblem problem : e.problems()) {
        err.println("  " + problem);
      }
      err.flush();
      return null;
    }
  }
}

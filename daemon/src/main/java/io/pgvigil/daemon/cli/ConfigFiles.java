package io.pgvigil.daemon.cli;

import io.pgvigil.daemon.config.ConfigException;
import io.pgvigil.daemon.config.ConfigLoader;
import io.pgvigil.daemon.config.ConfigProblem;
import io.pgvigil.daemon.config.PgvigilConfig;
import java.io.PrintWriter;
import java.nio.file.Path;

/** Loads a config file for a command, printing every problem in it when it is invalid. */
final class ConfigFiles {

  private ConfigFiles() {}

  /** The config, or null after printing its problems to {@code err}. */
  static PgvigilConfig load(Path file, PrintWriter err) {
    try {
      return new ConfigLoader(System.getenv()).load(file);
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

package io.pgvigil.daemon.cli;

import io.pgvigil.daemon.config.PgvigilConfig;
import io.pgvigil.daemon.config.TargetConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** The targets a one-shot command (drift, review) works on: the named one, or every one with migrations. */
final class TargetSelection {

  @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
      description = "The YAML config file.")
  Path config;

  @Option(names = {"-t", "--target"}, paramLabel = "NAME",
      description = "Only this target (default: every target with migrations).")
  String target;

  /**
   * Loads the config and picks the targets with migrations (or the one named), or returns null
   * after saying on {@code err} what is wrong.
   *
   * @param why what the migrations are needed for, e.g. "there is no history to compare"
   */
  List<TargetConfig> select(String why, PrintWriter err) {
    PgvigilConfig loaded = ConfigFiles.load(config, err);
    return loaded == null ? null : withMigrations(loaded, target, config, why, err);
  }

  /**
   * The targets, or null after saying on {@code err} why there are none.
   *
   * @param why what the migrations are needed for, e.g. "there is no history to compare"
   */
  private static List<TargetConfig> withMigrations(PgvigilConfig loaded, String name, Path config, String why,
      PrintWriter err) {
    List<TargetConfig> all = loaded.targets();
    if (name != null) {
      List<TargetConfig> named = all.stream().filter(t -> t.name().equals(name)).toList();
      if (named.isEmpty()) {
        err.println("error: no target named '" + name + "' in " + config + "; targets: "
            + String.join(", ", all.stream().map(TargetConfig::name).toList()));
        err.flush();
        return null;
      }
      if (named.get(0).migrations().isEmpty()) {
        err.println("error: target '" + name + "' has no migrations configured "
            + "(targets[].migrations), so " + why);
        err.flush();
        return null;
      }
      return named;
    }
    List<TargetConfig> withMigrations = all.stream().filter(t -> t.migrations().isPresent()).toList();
    if (withMigrations.isEmpty()) {
      err.println("error: no target in " + config + " has migrations configured "
          + "(targets[].migrations), so " + why);
      err.flush();
      return null;
    }
    return withMigrations;
  }
}

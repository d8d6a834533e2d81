package io.pgvigil.daemon.cli;

import io.pgvigil.daemon.config.PgvigilConfig;
import io.pgvigil.daemon.config.TargetConfig;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The targets a one-shot command (drift, review) works on: the named one, or every one with migrations. */
final class TargetSelection {

  @Mixin
  ConfigFile config;

  @Option(names = {"-t", "--target"}, paramLabel = "NAME",
      description = "Only this target (default: every target with migrations).")
  String target;

  /** The targets, or null after saying on {@code err} what is wrong; {@code why} ends that message. */
  List<TargetConfig> select(String why, PrintWriter err) {
    PgvigilConfig loaded = config.load(err);
    if (loaded == null) {
      return null;
    }
    List<TargetConfig> all = loaded.targetsWithMappedDatabases();
    if (target == null) {
      List<TargetConfig> withMigrations = all.stream().filter(t -> t.migrations().isPresent()).toList();
      return withMigrations.isEmpty() ? fail(err, "no target in " + config.path
          + " has migrations configured (targets[].migrations), so " + why) : withMigrations;
    }
    List<TargetConfig> named = all.stream().filter(t -> t.name().equals(target)).toList();
    if (named.isEmpty()) {
      return fail(err, "no target named '" + target + "' in " + config.path + "; targets: "
          + String.join(", ", all.stream().map(TargetConfig::name).toList()));
    }
    if (named.get(0).migrations().isEmpty()) {
      return fail(err, "target '" + target + "' has no migrations configured (targets[].migrations), so " + why);
    }
    return named;
  }

  private static List<TargetConfig> fail(PrintWriter err, String message) {
    err.println("error: " + message);
    err.flush();
    return null;
  }
}

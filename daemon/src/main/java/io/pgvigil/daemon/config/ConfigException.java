package io.pgvigil.daemon.config;

import java.util.List;
import java.util.stream.Collectors;

/** Every problem found, not just the first, so an operator fixes the file in one pass, not one per restart. */
public final class ConfigException extends Exception {

  private static final long serialVersionUID = 1L;

  private final transient List<ConfigProblem> problems;

  public ConfigException(List<ConfigProblem> problems) {
    super(problems.stream().map(ConfigProblem::toString).collect(Collectors.joining("\n")));
    this.problems = List.copyOf(problems);
  }

  public List<ConfigProblem> problems() {
    return problems;
  }
}

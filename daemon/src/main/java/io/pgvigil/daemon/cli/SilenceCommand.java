package io.pgvigil.daemon.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code pgvigil silence add|list|expire}: a client of the silences API, connecting as {@code pgvigil window}
 * does (the same {@link WindowCommand.Connection}).
 */
@Command(name = "silence", mixinStandardHelpOptions = true,
    description = "Add, list and expire alert silences through a running pgvigil's API. A silenced alert is "
        + "still decided and listed, just not sent; the kill switch is not affected.",
    subcommands = {SilenceCommand.Add.class, SilenceCommand.List.class,
        SilenceCommand.Expire.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:ok", "1:error"})
final class SilenceCommand implements Runnable {

  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(name = "add", mixinStandardHelpOptions = true,
      description = {
          "Silences the alerts that match every matcher given (at least one of --target, --rule, "
              + "--object; '*' matches any run of characters) and prints the silence's id.",
          "Example: pgvigil silence add --target app --rule lockWait --ttl 2h --comment \"deploy 42\""})
  static final class Add implements Callable<Integer> {
    @Mixin
    WindowCommand.Connection connection;
    @Option(names = "--target", paramLabel = "NAME",
        description = "The target's name (without '*' it must be a configured target).")
    String target;
    @Option(names = "--rule", paramLabel = "RULE",
        description = "The alert's rule, e.g. lockWait or killSwitch.")
    String rule;
    @Option(names = "--object", paramLabel = "TEXT",
        description = "The alert's object, e.g. a replica's name (the last part of the alert key).")
    String object;
    @ArgGroup(multiplicity = "1")
    Until until;
    @Option(names = "--comment", required = true, paramLabel = "TEXT",
        description = "Why (required).")
    String comment;
    @Option(names = "--created-by", paramLabel = "NAME", defaultValue = "${sys:user.name}",
        description = "Who asks (default: the user running this command).")
    String createdBy;

    /** How long: one of the two. */
    static final class Until {
      @Option(names = "--ttl", required = true, paramLabel = "DURATION",
          description = "How long it lasts, at most 30d, e.g. 2h.")
      String ttl;
      @Option(names = "--ends-at", required = true, paramLabel = "TIME",
          description = "When it ends, ISO-8601 with an offset, e.g. 2026-12-02T08:00:00Z.")
      String endsAt;
    }

    @Override
    public Integer call() throws Exception {
      JsonObject matchers = new JsonObject();
      if (target != null) {
        matchers.put("target", target);
      }
      if (rule != null) {
        matchers.put("rule", rule);
      }
      if (object != null) {
        matchers.put("object", object);
      }
      JsonObject body = new JsonObject().put("matchers", matchers).put("comment", comment)
          .put("createdBy", createdBy);
      if (until.ttl != null) {
        body.put("ttl", until.ttl);
      } else {
        body.put("endsAt", until.endsAt);
      }
      connection.println(connection.send("POST", "/api/v1/silences", body, true).getString("id"));
      return ExitCode.OK;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "Lists active silences and those that ended in the last 24 hours.")
  static final class List implements Callable<Integer> {
    @Mixin
    WindowCommand.Connection connection;
    @Option(names = "--format", defaultValue = "text", paramLabel = "FORMAT",
        description = "text or json.")
    String format;

    @Override
    public Integer call() throws Exception {
      JsonArray silences =
          connection.send("GET", "/api/v1/silences", null, false).getJsonArray("silences");
      if ("json".equals(format)) {
        connection.println(new JsonObject().put("silences", silences).encodePrettily());
        return ExitCode.OK;
      }
      String row = "%-36s  %-6s  %-12s  %-20s  %-20s  %-24s  %-12s  %s";
      connection.println(row.formatted("ID", "ACTIVE", "TARGET", "RULE", "OBJECT", "ENDS",
          "CREATED BY", "COMMENT"));
      for (Object o : silences) {
        JsonObject s = (JsonObject) o;
        JsonObject m = s.getJsonObject("matchers");
        connection.println(row.formatted(s.getString("id"), s.getBoolean("active") ? "yes" : "no",
            any(m.getString("target")), any(m.getString("rule")), any(m.getString("object")),
            s.getString("endsAt"), s.getString("createdBy", ""), s.getString("comment")));
      }
      return ExitCode.OK;
    }

    private static String any(String matcher) {
      return matcher == null ? "(any)" : matcher;
    }
  }

  @Command(name = "expire", mixinStandardHelpOptions = true,
      description = "Ends a silence now: what it held back and still fires is sent at once.")
  static final class Expire implements Callable<Integer> {
    @Mixin
    WindowCommand.Connection connection;
    @Parameters(paramLabel = "ID", description = "The id 'silence add' printed.")
    String id;

    @Override
    public Integer call() throws Exception {
      JsonObject silence = connection.send("DELETE", "/api/v1/silences/" + id, null, true);
      connection.println("expired " + silence.getString("id"));
      return ExitCode.OK;
    }
  }
}

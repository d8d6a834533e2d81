package io.pgvigil.daemon.cli;

import java.io.PrintWriter;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
    name = "pgvigil",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = "Watches PostgreSQL during and between schema migrations: schema drift, lock waits and the lock "
        + "queue behind DDL, replication lag, migration windows, alerts and a kill switch.")
public final class Main implements Runnable {

  /**
   * The subcommands, in the order {@code --help} lists them. Added in code rather than in the annotation: picocli
   * reflects over every command it is given (options, mixins, their types), so a one-shot command gets only itself.
   */
  private static final Map<String, Supplier<Object>> COMMANDS = commands();

  @Spec
  CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine(args.length == 0 ? "" : args[0]).execute(args));
  }

  public static CommandLine commandLine() {
    return commandLine("");
  }

  /** With every subcommand, or only {@code first} when it names one (not {@code help}, which lists the others). */
  static CommandLine commandLine(String first) {
    CommandLine cli = new CommandLine(new Main());
    if (COMMANDS.containsKey(first) && !first.equals("help")) {
      cli.addSubcommand(COMMANDS.get(first).get());
    } else {
      COMMANDS.values().forEach(command -> cli.addSubcommand(command.get()));
    }
    return cli.setExecutionExceptionHandler(new ErrorReporter()).setParameterExceptionHandler(Main::badUsage);
  }

  private static Map<String, Supplier<Object>> commands() {
    Map<String, Supplier<Object>> commands = new LinkedHashMap<>();
    commands.put("run", RunCommand::new);
    commands.put("demo", DemoCommand::new);
    commands.put("check-config", CheckConfigCommand::new);
    commands.put("drift", DriftCommand::new);
    commands.put("review", ReviewCommand::new);
    commands.put("window", WindowCommand::new);
    commands.put("silence", SilenceCommand::new);
    commands.put("help", CommandLine.HelpCommand::new);
    return Collections.unmodifiableMap(commands);
  }

  /** A wrong command line exits 1, like every other error: 2 is reserved for findings. */
  private static int badUsage(CommandLine.ParameterException e, String[] args) {
    PrintWriter err = e.getCommandLine().getErr();
    err.println("error: " + e.getMessage());
    err.println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
    err.flush();
    return ExitCode.ERROR;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}

package io.pgvigil.daemon.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
    name = "pgvigil",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = "Watches PostgreSQL during and between schema migrations: schema drift, lock waits and the lock "
        + "queue behind DDL, replication lag, migration windows, alerts and a kill switch.",
    subcommands = {
        RunCommand.class,
        DemoCommand.class,
        CheckConfigCommand.class,
        DriftCommand.class,
        ReviewCommand.class,
        WindowCommand.class,
        SilenceCommand.class,
        CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {

  @Spec
  CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  public static CommandLine commandLine() {
    return new CommandLine(new Main()).setExecutionExceptionHandler(new ErrorReporter())
        .setParameterExceptionHandler(Main::badUsage);
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

package io.pgvigil.daemon.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;
import picocli.CommandLine.Model.CommandSpec;

/**
 * A command that the SPEC names but this build does not implement yet: it says
 * so honestly and exits 1, so a CI pipeline never mistakes it for a pass.
 */
abstract class NotAvailableYet implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Mixin
  Verbosity verbosity;

  /** Accepted and ignored, so the answer is this honest message and not a usage error. */
  @Unmatched
  List<String> arguments;

  @Override
  public Integer call() {
    spec.commandLine().getErr().println("error: 'pgvigil " + spec.name()
        + "' is not available yet in this build; see the README for what is.");
    return ExitCode.ERROR;
  }
}

@Command(name = "review", mixinStandardHelpOptions = true,
    description = "Pre-flight review of pending migrations (not available yet).",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:pass", "2:failed the --fail-on level", "1:error"})
class ReviewCommand extends NotAvailableYet {}

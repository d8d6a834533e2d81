package io.pgvigil.daemon.config;

import io.pgvigil.common.SecretValue;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What pgvigil does when an abort threshold is crossed. The default is dry-run: cancelling
 * somebody's migration must be a decision written in the config, never a surprise.
 */
public record KillSwitchConfig(Mode mode, List<Hook> hooks, Terminate terminate, Optional<Duration> deadManAfter) {

  public static final KillSwitchConfig DEFAULT =
      new KillSwitchConfig(Mode.DRY_RUN, List.of(), Terminate.NONE, Optional.empty());

  /**
   * Who {@code cancel-and-terminate-blockers} may terminate: idle-in-transaction root blockers of the migration in
   * {@code roles}, idle for {@code idleInTransactionAfter}. Never autovacuum, WAL senders or replication connections.
   */
  public record Terminate(List<String> roles, Duration idleInTransactionAfter) {
    public static final Duration DEFAULT_IDLE_IN_TRANSACTION_AFTER = Duration.ofSeconds(30);
    public static final Terminate NONE = new Terminate(List.of(), DEFAULT_IDLE_IN_TRANSACTION_AFTER);
  }

  public enum Mode {
    /** Log and alert what would be done, touch nothing. */
    DRY_RUN,
    /** pg_cancel_backend() the migration's statement. */
    CANCEL,
    /** Also pg_terminate_backend() the sessions blocking it. */
    CANCEL_AND_TERMINATE_BLOCKERS
  }

  /** Run after an abort, e.g. to fail the deploy pipeline. */
  public sealed interface Hook {
  }

  /** Runs a program directly (no shell), argv as given. */
  public record ExecHook(List<String> command) implements Hook {
    /** Arguments may come from ${env:...} and carry tokens, so only the program is shown. */
    @Override
    public String toString() {
      int args = command.size() - 1;
      return "ExecHook[" + command.get(0) + (args > 0 ? " (+" + args + " args)" : "") + "]";
    }
  }

  /** POSTs the abort event; the URL is a SecretValue because it usually embeds a token. */
  public record WebhookHook(SecretValue url) implements Hook {
  }
}

package io.pgvigil.daemon.rules;

import io.pgvigil.checks.locks.LockReport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.SqlClient;
import java.util.List;

/**
 * Acts on every fresh evaluation of one source of a target's rules, after the {@link RuleListener}:
 * the kill switch. Called on the target's event loop; the future completes when every action is taken.
 */
@FunctionalInterface
public interface AbortListener {

  /** @param locks the lock report the verdicts come from; null when they come from another poll */
  Future<Void> evaluated(String source, List<RuleVerdict> verdicts, LockReport locks, Vertx vertx,
      SqlClient client);
}

package io.pgvigil.daemon.rules;

import io.pgvigil.checks.locks.LockReport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.SqlClient;
import java.util.List;

/** The kill switch, after the verdicts went to alerting, on the target's event loop; done when every action is. */
@FunctionalInterface
public interface AbortListener {

  /** @param locks the lock report the verdicts come from; null when they come from another poll */
  Future<Void> evaluated(Source source, List<RuleVerdict> verdicts, LockReport locks, Vertx vertx, SqlClient client);
}

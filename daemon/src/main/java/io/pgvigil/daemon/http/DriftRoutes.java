package io.pgvigil.daemon.http;

import io.pgvigil.daemon.drift.DriftCheck;
import io.pgvigil.daemon.drift.DriftJson;
import io.pgvigil.daemon.drift.DriftState;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/** {@code GET} and {@code POST /api/v1/targets/{name}/drift}: the last verdict, or one run now. */
final class DriftRoutes {

  private final Targets targets;

  DriftRoutes(Targets targets) {
    this.targets = targets;
  }

  void get(RoutingContext ctx) {
    driftOf(ctx).ifPresent(state -> ApiServer.json(ctx, 200, state.last()
        .map(DriftJson::report)
        .orElseGet(() -> new JsonObject()
            .put("target", ctx.pathParam("name"))
            .put("status", "not-checked-yet"))));
  }

  void runNow(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    Optional<DriftState> drift = driftOf(ctx);
    if (drift.isEmpty()) {
      return;
    }
    // A failed run still leaves its verdict (an error report) in the state: answer with it.
    targets.find(name).orElseThrow().monitor().runNow(DriftCheck.NAME).onComplete(ar -> {
      if (drift.get().last().isPresent() && (ar.succeeded() || !isTargetDown(ar.cause()))) {
        ApiServer.json(ctx, 200, DriftJson.report(drift.get().last().get()));
      } else {
        ApiServer.error(ctx, 503, ar.cause() == null ? "no verdict" : ar.cause().getMessage());
      }
    });
  }

  private static boolean isTargetDown(Throwable cause) {
    return cause instanceof IllegalStateException;
  }

  /** The target's drift state, or empty after answering 404. */
  private Optional<DriftState> driftOf(RoutingContext ctx) {
    Optional<Targets.Target> target = ApiServer.targetOf(targets, ctx);
    if (target.isEmpty()) {
      return Optional.empty();
    }
    String name = target.get().name();
    Optional<DriftState> drift = target.get().drift();
    if (drift.isEmpty()) {
      ApiServer.error(ctx, 404, "target '" + name + "' has no migrations configured "
          + "(targets[].migrations), so there is no drift to check");
    }
    return drift;
  }
}

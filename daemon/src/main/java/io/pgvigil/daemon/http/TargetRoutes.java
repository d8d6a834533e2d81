package io.pgvigil.daemon.http;

import io.pgvigil.daemon.drift.DriftCheck;
import io.pgvigil.daemon.drift.DriftJson;
import io.pgvigil.daemon.drift.DriftState;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import java.util.function.Function;

/** {@code /api/v1/targets} and below: each target's status, locks, replication and drift (README). */
final class TargetRoutes {

  private final Targets targets;

  TargetRoutes(Targets targets) {
    this.targets = targets;
  }

  void list(RoutingContext ctx) {
    ApiServer.json(ctx, 200, new JsonObject().put("targets", ApiJson.array(targets.all(), this::status)));
  }

  void get(RoutingContext ctx) {
    targetOf(ctx).ifPresent(t -> ApiServer.json(ctx, 200, status(t)));
  }

  private JsonObject status(Targets.Target t) {
    return ApiJson.status(t.monitor().status(), targets.owners().apply(t.name()));
  }

  void locks(RoutingContext ctx) {
    targetOf(ctx).ifPresent(t -> ApiServer.json(ctx, 200, polled(t, t.locks().last(), ApiJson::locks)
        .put("invalidIndexes", t.locks().invalidIndexes().map(ApiJson::invalidIndexes).orElse(null))));
  }

  void replication(RoutingContext ctx) {
    targetOf(ctx).ifPresent(t -> ApiServer.json(ctx, 200, polled(t, t.replication().last(),
        report -> ApiJson.replication(report, t.replication().connections()::failure))));
  }

  /** What this instance saw last; one that does not own the target says which does. */
  private <T> JsonObject polled(Targets.Target t, Optional<T> last, Function<T, JsonObject> json) {
    JsonObject body = new JsonObject().put("target", t.name());
    if (!t.monitor().status().owned() && t.monitor().status().up()) {
      return body.put("status", "owned-elsewhere").put("owner", targets.owners().apply(t.name()).orElse(null));
    }
    return last.isEmpty() ? body.put("status", "not-polled-yet")
        : body.put("status", "ok").mergeIn(json.apply(last.get()));
  }

  void drift(RoutingContext ctx) {
    driftOf(ctx).ifPresent(state -> ApiServer.json(ctx, 200, state.last()
        .map(DriftJson::report)
        .orElseGet(() -> new JsonObject()
            .put("target", ctx.pathParam("name"))
            .put("status", "not-checked-yet"))));
  }

  void driftNow(RoutingContext ctx) {
    // A failed run still leaves its verdict (an error report) in the state: answer with it. A target
    // that is down or not started fails runNow with IllegalStateException.
    driftOf(ctx).ifPresent(drift -> targets.find(ctx.pathParam("name")).orElseThrow().monitor()
        .runNow(DriftCheck.NAME).onComplete(ar -> {
          if (drift.last().isPresent() && (ar.succeeded() || !(ar.cause() instanceof IllegalStateException))) {
            ApiServer.json(ctx, 200, DriftJson.report(drift.last().get()));
          } else {
            ApiServer.error(ctx, 503, ar.cause() == null ? "no verdict" : ar.cause().getMessage());
          }
        }));
  }

  /** The target named by the {@code name} path parameter, or empty after answering 404. */
  private Optional<Targets.Target> targetOf(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    Optional<Targets.Target> target = targets.find(name);
    if (target.isEmpty()) {
      ApiServer.error(ctx, 404, "no target named '" + name + "'");
    }
    return target;
  }

  /** The target's drift state, or empty after answering 404. */
  private Optional<DriftState> driftOf(RoutingContext ctx) {
    Optional<Targets.Target> target = targetOf(ctx);
    Optional<DriftState> drift = target.flatMap(Targets.Target::drift);
    if (target.isPresent() && drift.isEmpty()) {
      ApiServer.error(ctx, 404, "target '" + target.get().name() + "' has no migrations configured "
          + "(targets[].migrations), so there is no drift to check");
    }
    return drift;
  }
}

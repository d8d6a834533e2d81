package io.pgvigil.daemon.review;

import io.pgvigil.daemon.config.Durations;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Optional;

/** A target's {@code live} object in {@code --format json} (README, "Pre-flight review"); null when not read. */
final class LiveJson {

  private LiveJson() {}

  static JsonObject of(Optional<LiveReport> live) {
    if (live.isEmpty()) {
      return null;
    }
    LiveReport r = live.get();
    JsonArray probes = new JsonArray(r.probes().stream().map(p -> new JsonObject()
        .put("file", p.question().file()).put("statement", p.question().statement())
        .put("line", p.question().line()).put("kind", p.question().kind().id())
        .put("table", p.question().table()).put("object", p.question().object())
        .put("question", p.question().question()).put("result", p.outcome().id()).put("detail", p.detail())
        .put("elapsedMs", p.millis())).toList());
    JsonArray tables = new JsonArray(r.tables().stream().map(t -> new JsonObject().put("table", t.table())
        .put("present", t.present()).put("bytes", t.bytes()).put("pages", t.pages())
        .put("rows", t.rows() < 0 ? null : Math.round(t.rows()))
        .put("seconds", SizeGrade.seconds(t.bytes(), r.config().throughput()))
        .put("notRead", t.notRead())).toList());
    return new JsonObject().put("readFrom", r.readFrom())
        .put("probeTimeout", Durations.format(r.config().probeTimeout()))
        .put("throughputBytesPerSecond", r.config().throughput())
        .put("budgets", new JsonObject().put("lockedSeconds", r.config().lockedSeconds().toMillis() / 1000.0)
            .put("rewriteBytes", r.config().rewriteBytes()))
        .put("probes", probes).put("tables", tables);
  }
}

package io.pgvigil.daemon.review;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * What an offline review ({@code review --offline}) rests on, in every format: the major it was told, how the
 * applied history was taken from the repository, what it could not check without the database, and what it noticed
 * in the files.
 *
 * @param applied e.g. {@code applied through V41}, {@code applied as of git origin/main}
 */
public record OfflineReport(int pgMajor, String applied, List<String> notes) {

  /** The checks that need the live database (or a replica) and are skipped offline. */
  public static final List<String> SKIPPED = List.of("data-aware probes", "live sizes");

  public OfflineReport {
    notes = List.copyOf(notes);
  }

  /** {@code "offline"} in the JSON document. */
  public JsonObject json() {
    return new JsonObject().put("pgMajor", pgMajor).put("applied", applied).put("skipped", new JsonArray(SKIPPED))
        .put("notes", new JsonArray(notes));
  }

  /** What text and Markdown print under the target's summary: what was skipped, then each note. */
  public List<String> lines() {
    List<String> lines = new ArrayList<>();
    lines.add("skipped (offline): " + String.join(", ", SKIPPED));
    notes.forEach(n -> lines.add("note: " + n));
    return lines;
  }

  /** For the shadow description: where the history came from. */
  public String basis() {
    return "the repository's files (" + applied + "), not the live history";
  }
}

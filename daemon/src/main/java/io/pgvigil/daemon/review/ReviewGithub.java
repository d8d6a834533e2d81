package io.pgvigil.daemon.review;

import io.pgvigil.checks.review.Finding;
import io.pgvigil.checks.review.Level;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code --format github}: GitHub Actions workflow commands, which the runner turns into annotations on the pull
 * request's files without any upload rights. One per finding: {@code ::error} for one that fails the review at the
 * {@code --fail-on} level, {@code ::warning} for one below it, {@code ::notice} for one the file suppresses; one
 * {@code ::error} per target that could not be reviewed; a {@code ::warning} per live question not checked (neither a
 * pass nor a failure) and, offline, for what was skipped, and a {@code ::notice} per offline note; then the summary
 * line, as text.
 * Escaping as the runner reads it (actions/toolkit, packages/core/src/command.ts): {@code %}, CR and LF in the
 * message; those and {@code :} and {@code ,} in a property.
 */
public final class ReviewGithub {

  private ReviewGithub() {}

  public static void print(List<TargetReview> reviews, Level failOn, boolean passed, PrintWriter out) {
    for (TargetReview r : reviews) {
      r.error().ifPresent(error -> out.println(command("error", List.of("title", "pgvigil review: " + r.target()),
          r.target() + " was not reviewed: " + error)));
      for (Finding f : r.findings()) {
        String kind = f.suppressed() ? "notice"
            : f.level() == Level.BLOCK || failOn == Level.FLAG ? "error" : "warning";
        List<String> properties = new ArrayList<>(List.of("file", f.file()));
        if (f.line() > 0) {
          properties.addAll(List.of("line", String.valueOf(f.line())));
        }
        properties.addAll(List.of("title", "pgvigil " + f.level().label() + ": " + f.hazard().id()
            + (f.suppressed() ? " (suppressed)" : "")));
        out.println(command(kind, properties, f.message() + (f.object() == null ? "" : " [" + f.object() + "]")
            + ".\nFix: " + f.fix() + (f.suppressed() ? "\nSuppressed in the file: " + f.suppression() : "")));
      }
      r.live().ifPresent(live -> live.probes().stream()
          .filter(p -> p.outcome() == LiveReport.Outcome.NOT_CHECKED).forEach(p -> {
            List<String> properties = new ArrayList<>(List.of("file", p.question().file()));
            if (p.question().line() > 0) {
              properties.addAll(List.of("line", String.valueOf(p.question().line())));
            }
            properties.addAll(List.of("title", "pgvigil not checked: " + p.question().kind().id()));
            out.println(command("warning", properties, SarifResults.notChecked(p)
                + "\nNeither a pass nor a failure: the statement may still fail on live rows."));
          }));
      r.offline().ifPresent(o -> {
        out.println(command("warning", List.of("title", "pgvigil review: " + r.target() + " offline"),
            "skipped (offline): " + String.join(", ", OfflineReport.SKIPPED)));
        o.notes().forEach(n -> out.println(command("notice", List.of("title", "pgvigil review: " + r.target()), n)));
      });
    }
    out.println(ReviewText.summary(reviews, failOn, passed));
  }

  /** {@code ::name key=value,key=value::message}; {@code properties} alternate key and value. */
  static String command(String name, List<String> properties, String message) {
    StringBuilder line = new StringBuilder("::").append(name);
    for (int i = 0; i < properties.size(); i += 2) {
      line.append(i == 0 ? " " : ",").append(properties.get(i)).append('=').append(property(properties.get(i + 1)));
    }
    return line.append("::").append(data(message)).toString();
  }

  static String data(String value) {
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A");
  }

  static String property(String value) {
    return data(value).replace(":", "%3A").replace(",", "%2C");
  }
}

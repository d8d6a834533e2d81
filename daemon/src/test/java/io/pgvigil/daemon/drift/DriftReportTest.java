package io.pgvigil.daemon.drift;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgvigil.checks.history.HistoryProblem;
import io.pgvigil.checks.history.HistoryProblemKind;
import io.pgvigil.checks.history.HistoryReport;
import io.pgvigil.checks.history.MigrationTool;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DriftReportTest {

  private static final Instant AT = Instant.parse("2026-12-01T00:00:00Z");

  private static HistoryReport history(List<HistoryProblem> problems, List<String> filesBehind) {
    return new HistoryReport(MigrationTool.FLYWAY, "public.flyway_schema_history", 12, 0, Optional.empty(), problems,
        List.of("V1__a.sql"), filesBehind, AT);
  }

  @Test
  void filesBehindAloneIsNotDriftAndSaysTheComparisonIsPaused() {
    DriftReport report = DriftReport.of("app", history(List.of(), List.of("12")), null);

    assertThat(report.status()).isEqualTo(DriftReport.Status.FILES_BEHIND);
    assertThat(report.status().label()).isEqualTo("files-behind");
    assertThat(report.structurePaused()).hasValueSatisfying(reason -> assertThat(reason)
        .startsWith("migration files are behind the database (applied, not in the files: 12)"));
    assertThat(DriftJson.report(report).getJsonObject("history").getJsonArray("filesBehind")).containsExactly("12");
    StringWriter text = new StringWriter();
    DriftText.print(report, new PrintWriter(text, true));
    assertThat(text.toString())
        .startsWith("app: schema NOT compared, the migration files are behind the database; history: no drift")
        .contains("  migration files are behind the database: 1 applied migration not in the files (12)");
  }

  @Test
  void aRealHistoryProblemIsDriftEvenWhileTheFilesAreBehind() {
    HistoryProblem edited = new HistoryProblem(HistoryProblemKind.CHECKSUM_MISMATCH, "2", "b", "V2__b.sql", "edited");
    DriftReport report = DriftReport.of("app", history(List.of(edited), List.of("12")), null);

    assertThat(report.status()).isEqualTo(DriftReport.Status.DRIFT);
  }

  @Test
  void aComparedSchemaIsNotPaused() {
    DriftReport report = DriftReport.of("app", history(List.of(), List.of()),
        new StructuralReport(List.of(), "replay of 1", false, 3, AT, false));

    assertThat(report.status()).isEqualTo(DriftReport.Status.CLEAN);
    assertThat(report.structurePaused()).isEmpty();
    assertThat(DriftJson.report(report).containsKey("structurePaused")).isFalse();
  }

  @Test
  void tellsAPendingMigrationApartFromDrift() {
    HistoryProblem pending = new HistoryProblem(HistoryProblemKind.PENDING, "13", "c", "V13__c.sql", "not applied");
    HistoryProblem edited = new HistoryProblem(HistoryProblemKind.CHECKSUM_MISMATCH, "2", "b", "V2__b.sql", "edited");
    DriftReport pendingOnly = DriftReport.of("app", history(List.of(pending), List.of()), null);
    DriftReport both = DriftReport.of("app", history(List.of(pending, edited), List.of()), null);
    DriftReport clean = DriftReport.of("app", history(List.of(), List.of()), null);

    assertThat(pendingOnly.pending()).isTrue();
    assertThat(pendingOnly.driftBesidesPending()).isFalse();
    assertThat(both.pending()).isTrue();
    assertThat(both.driftBesidesPending()).isTrue();
    assertThat(clean.pending()).isFalse();
    assertThat(clean.driftBesidesPending()).isFalse();
  }
}

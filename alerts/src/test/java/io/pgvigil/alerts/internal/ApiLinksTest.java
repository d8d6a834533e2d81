package io.pgvigil.alerts.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgvigil.alerts.Alert;
import io.pgvigil.alerts.Severity;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Alert messages link to the status page's view of their target, and to the JSON behind it. */
class ApiLinksTest {

  private final ApiLinks links = new ApiLinks("https://pgvigil.example/");

  @Test
  void linksEachRuleToTheViewThatShowsItAndToItsDocument() {
    assertThat(links.forAlert(alert("app", "lockQueue"))).isEqualTo("https://pgvigil.example/#/targets/app/locks");
    assertThat(links.jsonForAlert(alert("app", "lockQueue")))
        .isEqualTo("https://pgvigil.example/api/v1/targets/app/locks");
    assertThat(links.forAlert(alert("app", "idleInTransaction"))).endsWith("/#/targets/app/locks");
    assertThat(links.forAlert(alert("app", "longWrite"))).endsWith("/#/targets/app/locks");
    assertThat(links.forAlert(alert("app", "replicationLagBytes"))).endsWith("/#/targets/app/replication");
    assertThat(links.forAlert(alert("app", "standbyGone"))).endsWith("/#/targets/app/replication");
    assertThat(links.jsonForAlert(alert("app", "standbyGone"))).endsWith("/api/v1/targets/app/replication");
    assertThat(links.forAlert(alert("app", "schemaDrift"))).endsWith("/#/targets/app/drift");
    assertThat(links.forAlert(alert("app", "killSwitch"))).endsWith("/#/targets/app/windows");
    assertThat(links.jsonForAlert(alert("app", "killSwitch"))).isEqualTo("https://pgvigil.example/api/v1/aborts");
    assertThat(links.forAlert(alert("app", "targetDown"))).isEqualTo("https://pgvigil.example/#/targets/app");
    assertThat(links.jsonForAlert(alert("app", "targetDown"))).isEqualTo("https://pgvigil.example/api/v1/targets/app");
    assertThat(links.alerts()).isEqualTo("https://pgvigil.example/#/alerts");
  }

  @Test
  void encodesATargetNameAsOnePathSegment() {
    assertThat(links.forAlert(alert("shop eu/1", "lockWait")))
        .isEqualTo("https://pgvigil.example/#/targets/shop%20eu%2F1/locks");
  }

  @Test
  void hasNoLinksWithoutABaseUrl() {
    assertThat(new ApiLinks(" ").enabled()).isFalse();
  }

  private static Alert alert(String target, String rule) {
    return Alert.firing(target, rule, "public.orders", Severity.WARNING, "summary", "1", "1", List.of(), Map.of(),
        Instant.parse("2026-01-01T00:00:00Z"));
  }
}

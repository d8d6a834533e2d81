package io.pgvigil.daemon.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgvigil.checks.schema.ComparedKind;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DriftConfigTest {

  @TempDir
  Path dir;

  private DriftConfig drift(String yaml) throws ConfigException {
    return new ConfigLoader(Map.of()).parse("""
        targets:
          - name: app
            url: postgresql://u@db/app
            drift: %s
        """.formatted(yaml), dir, "config").targets().get(0).drift();
  }

  @Test
  void comparesCommentsAndStatisticsButNothingNamingRolesByDefault() throws Exception {
    assertThat(drift("{ interval: 5m }").compare())
        .containsExactlyInAnyOrder(ComparedKind.COMMENTS, ComparedKind.STATISTICS);
    assertThat(DriftConfig.DEFAULT.compare()).isEqualTo(ComparedKind.defaults());
    assertThat(drift("{ interval: 5m }").roleMap()).isEmpty();
  }

  @Test
  void comparesExactlyWhatIsListedWithShadowRolesMappedToLiveOnes() throws Exception {
    DriftConfig drift = drift("""
        { compare: [grants, owners, defaultPrivileges], roleMap: { postgres: app_owner, reader: "Reporting" } }""");

    assertThat(drift.compare())
        .isEqualTo(Set.of(ComparedKind.GRANTS, ComparedKind.OWNERS, ComparedKind.DEFAULT_PRIVILEGES));
    assertThat(drift.roleMap()).isEqualTo(Map.of("postgres", "app_owner", "reader", "Reporting"));
    assertThat(drift("{ compare: [] }").compare()).isEmpty();
  }

  @Test
  void namesTheAllowedWordsForAnUnknownOneAndRefusesABadRoleMap() {
    assertThatThrownBy(() -> drift("{ compare: [grants, grant, ownership], roleMap: [postgres] }"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("targets[0].drift.compare[1]: 'grant' is not one of comments, statistics, grants, "
            + "owners, defaultPrivileges; did you mean 'grants'?")
        .hasMessageContaining("targets[0].drift.compare[2]: 'ownership' is not one of")
        .hasMessageContaining("targets[0].drift.roleMap: expected a mapping");
    assertThatThrownBy(() -> drift("{ roleMap: { postgres: \"\", app: [a] } }"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("targets[0].drift.roleMap.postgres: is empty")
        .hasMessageContaining("targets[0].drift.roleMap.app: expected a live role name");
    assertThatThrownBy(() -> drift("{ compares: [grants] }"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("targets[0].drift.compares: unknown key; did you mean 'compare'?");
  }
}

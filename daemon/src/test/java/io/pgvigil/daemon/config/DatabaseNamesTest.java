package io.pgvigil.daemon.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The patterns on database names, and the target names a server-level target gives its databases. */
class DatabaseNamesTest {

  private static ServerTargetConfig fleet(String name, List<String> include, List<String> exclude) {
    TargetConfig server = new TargetConfig(name, DatabaseUrl.parse("postgresql://pgvigil@db:5432/postgres"),
        TargetConfig.DEFAULT_CONNECT_TIMEOUT, List.of(), Optional.empty(), ShadowConfig.DEFAULT, DriftConfig.DEFAULT,
        WatchConfig.DEFAULT);
    return new ServerTargetConfig(server, include.stream().map(DatabasePattern::of).toList(),
        exclude.stream().map(DatabasePattern::of).toList(), Duration.ofSeconds(30), Map.of());
  }

  @Test
  void globsMatchWholeNamesWithStarAndQuestionMarkOnly() {
    DatabasePattern shop = DatabasePattern.of("shop_*");
    assertThat(shop.matches("shop_eu")).isTrue();
    assertThat(shop.matches("shop_")).isTrue();
    assertThat(shop.matches("my_shop_eu")).isFalse();
    DatabasePattern one = DatabasePattern.of("db?");
    assertThat(one.matches("db1")).isTrue();
    assertThat(one.matches("db12")).isFalse();
    assertThat(DatabasePattern.of("a.b+c").matches("a.b+c")).as("regex characters are literal").isTrue();
    assertThat(DatabasePattern.of("a.b+c").matches("axbbc")).isFalse();
    assertThat(DatabasePattern.of("Orders").matches("orders")).as("names are case-sensitive").isFalse();
    assertThatThrownBy(() -> DatabasePattern.of("shop_[ab]")).hasMessageContaining("only * (any characters)");
  }

  @Test
  void excludeWinsOverIncludeAndNoIncludeMeansAll() {
    ServerTargetConfig all = fleet("fleet", List.of(), List.of("tmp_*"));
    assertThat(all.watches("orders")).isTrue();
    assertThat(all.watches("tmp_1")).isFalse();
    ServerTargetConfig some = fleet("fleet", List.of("shop_*", "billing"), List.of("shop_test"));
    assertThat(some.watches("shop_eu")).isTrue();
    assertThat(some.watches("billing")).isTrue();
    assertThat(some.watches("shop_test")).isFalse();
    assertThat(some.watches("orders")).isFalse();
    assertThat(some.watches("postgres")).as("the home database, whatever the patterns").isTrue();
  }

  @Test
  void namesAreServerDashDatabaseWhenTheDatabaseNameFits() {
    ServerTargetConfig fleet = fleet("fleet", List.of(), List.of());
    assertThat(fleet.targetName("orders", Set.of())).isEqualTo("fleet-orders");
    assertThat(fleet.targetName("shop_eu-2", Set.of())).isEqualTo("fleet-shop_eu-2");
  }

  @Test
  void aSanitisedLongOrTakenNameEndsInAHashOfTheDatabaseName() {
    ServerTargetConfig fleet = fleet("fleet", List.of(), List.of());
    String upper = fleet.targetName("Orders", Set.of());
    String lower = fleet.targetName("orders", Set.of());
    assertThat(upper).matches("fleet-orders-[0-9a-f]{6}").isNotEqualTo(lower);
    assertThat(fleet.targetName("my db.eu", Set.of())).matches("fleet-my_db_eu-[0-9a-f]{6}");
    assertThat(fleet.targetName("Orders", Set.of())).as("the same on every instance").isEqualTo(upper);
    assertThat(fleet.targetName("orders", Set.of("fleet-orders"))).matches("fleet-orders-[0-9a-f]{6}");
    String longName = fleet.targetName("x".repeat(80), Set.of());
    assertThat(longName).hasSize(63).matches("fleet-x+-[0-9a-f]{6}");
    for (String name : List.of(upper, lower, longName, fleet.targetName("ÄÖÜ", Set.of()))) {
      assertThat(name).matches(TargetConfig.NAME_PATTERN);
    }
  }

  @Test
  void aDatabaseTargetTakesTheServersUrlWithItsDatabase() {
    TargetConfig orders = fleet("fleet", List.of(), List.of()).target("orders", Set.of());
    assertThat(orders.url().redacted()).isEqualTo("postgresql://pgvigil@db:5432/orders");
  }
}

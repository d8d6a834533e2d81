package io.pgvigil.checks.shadow;

import io.pgvigil.checks.testing.PostgresExtension;
import io.pgvigil.checks.testing.TestPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/** A fresh shadow database for each test, dropped after it, and the replay that fills it. */
@ExtendWith(PostgresExtension.class)
abstract class ReplayOnShadow {

  final HistoryReplay replay = new HistoryReplay();
  ShadowDatabase shadow;

  @BeforeEach
  void createShadow(TestPostgres pg) throws Exception {
    shadow = Shadows.onServer(ShadowFixtures.admin(pg)).open(pg.major());
  }

  @AfterEach
  void dropShadow() {
    shadow.close();
  }
}

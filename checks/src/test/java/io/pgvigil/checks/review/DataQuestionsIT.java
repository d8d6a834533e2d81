package io.pgvigil.checks.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pgvigil.checks.history.HistoryDatabase;
import io.pgvigil.checks.history.MigrationTool;
import io.pgvigil.checks.shadow.ShadowDatabase;
import io.pgvigil.checks.shadow.Shadows;
import io.pgvigil.checks.testing.PostgresExtension;
import io.pgvigil.checks.testing.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The data questions a pending migration raises, worked out on an empty shadow: which statements ask which question
 * of live rows, with SQL that PostgreSQL accepts (each is run on the shadow, where it finds nothing), and which
 * questions are not asked and why.
 */
@ExtendWith(PostgresExtension.class)
class DataQuestionsIT {

  private static final String HISTORY = """
      CREATE TABLE people (id bigint PRIMARY KEY, email text, nick text, deleted boolean);
      CREATE TABLE orders (id bigint PRIMARY KEY, total numeric, person_id bigint);
      ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0) NOT VALID;
      """;

  private ShadowDatabase shadow;

  @BeforeEach
  void applyHistory(TestPostgres pg) throws Exception {
    shadow = Shadows.onServer(new HistoryDatabase("jdbc:postgresql://" + pg.host() + ":" + pg.port() + "/"
        + pg.database(), pg.user(), pg.password())).open(pg.major());
    try (Connection c = connect(); Statement s = c.createStatement()) {
      s.execute(HISTORY);
    }
  }

  @AfterEach
  void dropShadow() {
    shadow.close();
  }

  @Test
  void asksWhatEachStatementsSuccessDependsOn() throws Exception {
    List<DataQuestion> questions = questions("""
        SET lock_timeout = '5s';
        ALTER TABLE people ADD COLUMN score int NOT NULL;
        ALTER TABLE people ADD COLUMN level int NOT NULL DEFAULT 1, ADD COLUMN n bigint GENERATED ALWAYS AS IDENTITY;
        ALTER TABLE people ALTER COLUMN email SET NOT NULL;
        CREATE UNIQUE INDEX people_nick_key ON people (lower(nick), email) WHERE NOT deleted;
        ALTER TABLE orders ADD CONSTRAINT orders_total_small CHECK (total < 1000);
        ALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;
        ALTER TABLE orders ADD CONSTRAINT orders_person_fk FOREIGN KEY (person_id) REFERENCES people (id);
        CREATE TABLE fresh (id int PRIMARY KEY, v int NOT NULL);
        """);

    assertThat(questions).extracting(q -> q.statement() + " " + q.kind().id() + " " + q.question()).containsExactly(
        "2 any-row any row in public.people?",
        "4 any-null any NULL in public.people.email?",
        "5 any-duplicate any duplicate of (lower(nick), email) in public.people where NOT deleted?",
        "6 any-violation any row of public.orders violating CHECK ((total < (1000)::numeric))?",
        "7 any-violation any row of public.orders violating CHECK ((total > (0)::numeric))?",
        "8 any-orphan any row of public.orders whose (person_id) is not in public.people?");
    assertThat(questions.get(5).sql()).isEqualTo("SELECT 1 FROM ONLY public.orders a WHERE a.person_id IS NOT NULL "
        + "AND NOT EXISTS (SELECT 1 FROM ONLY public.people b WHERE b.id = a.person_id) LIMIT 1");
    assertThat(questions.get(2).sql()).isEqualTo("SELECT 1 FROM ONLY public.people WHERE (lower(nick)) IS NOT NULL "
        + "AND (email) IS NOT NULL AND (NOT deleted) GROUP BY (lower(nick)), (email) "
        + "HAVING pg_catalog.count(*) > 1 LIMIT 1");
    assertThat(questions.get(3).sql())
        .isEqualTo("SELECT 1 FROM public.orders WHERE NOT ((total < (1000)::numeric)) LIMIT 1");
    for (DataQuestion q : questions) {
      assertThat(q.notAsked()).isNull();
      assertThat(q.failure()).contains("at deploy");
      try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(q.sql())) {
        assertThat(rs.next()).as(q.sql()).isFalse();
      }
    }
  }

  @Test
  void doesNotAskAfterAStatementThatChangesTheRowsNorRunAnExpressionThatIsNotImmutable() throws Exception {
    List<DataQuestion> questions = questions("""
        UPDATE people SET email = '' WHERE email IS NULL;
        ALTER TABLE people ALTER COLUMN email SET NOT NULL;
        ALTER TABLE orders ADD CONSTRAINT orders_backend CHECK (pg_catalog.pg_backend_pid() > 0);
        """);

    assertThat(questions).hasSize(2).noneMatch(DataQuestion::asked);
    assertThat(questions.get(0).notAsked()).isEqualTo("statement 1 (UPDATE) of V2__x.sql may change the rows of "
        + "public.people first");
    assertThat(questions.get(1).notAsked()).contains("may not be IMMUTABLE");
  }

  @Test
  void aChangedColumnTypeCountsAsAWriteSoNothingIsAskedOfTheOldValues() throws Exception {
    List<DataQuestion> questions = questions("""
        ALTER TABLE people ALTER COLUMN nick TYPE varchar(10);
        CREATE UNIQUE INDEX people_nick_key ON people (nick);
        ALTER TABLE orders ALTER COLUMN total TYPE numeric USING nullif(total, 0);
        ALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;
        """);

    assertThat(questions).extracting(q -> q.statement() + " " + q.notAsked()).containsExactly(
        "2 statement 1 (ALTER TABLE) of V2__x.sql may change the rows of public.people first",
        "4 statement 3 (ALTER TABLE) of V2__x.sql may change the rows of public.orders first");
  }

  @Test
  void aKeyOrCheckDroppedAndAddedUnderItsNameWithAnotherDefinitionIsAsked() throws Exception {
    List<DataQuestion> questions = questions("""
        ALTER TABLE orders ADD CONSTRAINT orders_total_small CHECK (total < 1000);
        ALTER TABLE orders DROP CONSTRAINT orders_total_small, ADD CONSTRAINT orders_total_small CHECK (total < 10);
        ALTER TABLE orders DROP CONSTRAINT orders_total_small, ADD CONSTRAINT orders_total_small CHECK (total < 10);
        ALTER TABLE people DROP CONSTRAINT people_pkey, ADD CONSTRAINT people_pkey PRIMARY KEY (id, email);
        """);

    assertThat(questions).extracting(q -> q.statement() + " " + q.kind().id() + " " + q.question()).containsExactly(
        "1 any-violation any row of public.orders violating CHECK ((total < (1000)::numeric))?",
        "2 any-violation any row of public.orders violating CHECK ((total < (10)::numeric))?",
        "4 any-null any NULL in public.people.email?",
        "4 any-duplicate any duplicate of (id, email) in public.people?");
  }

  @Test
  void aUniqueIndexKeepsItsCollationAndAnOperatorClassOfItsOwnIsNotAsked() throws Exception {
    try (Connection c = connect(); Statement s = c.createStatement()) {
      s.execute("CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false)");
    } catch (java.sql.SQLException e) {
      assumeTrue(false, "no ICU in this PostgreSQL: " + e.getMessage());
    }

    List<DataQuestion> questions = questions("CREATE UNIQUE INDEX people_email_ci ON people (email COLLATE ci);\n"
        + "CREATE UNIQUE INDEX people_nick_pattern ON people (nick text_pattern_ops);\n");

    assertThat(questions).hasSize(2);
    assertThat(questions.get(0).sql()).isEqualTo("SELECT 1 FROM ONLY public.people WHERE (email COLLATE public.ci) "
        + "IS NOT NULL GROUP BY (email COLLATE public.ci) HAVING pg_catalog.count(*) > 1 LIMIT 1");
    try (Connection c = connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TEMP TABLE mails (email text)");
      s.execute("INSERT INTO mails VALUES ('A@example.com'), ('a@example.com')");
      try (ResultSet rs = s.executeQuery(questions.get(0).sql().replace("ONLY public.people", "mails"))) {
        assertThat(rs.next()).as("the index's collation finds the case-only duplicate").isTrue();
      }
    }
    assertThat(questions.get(1).notAsked()).contains("operator class");
  }

  @Test
  void readsOnlyAnInheritanceParentsOwnRowsWherePostgresDoes() throws Exception {
    try (Connection c = connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE base (id int, v int); CREATE TABLE base_child () INHERITS (base)");
    }

    List<DataQuestion> questions = questions("CREATE UNIQUE INDEX base_id_key ON base (id);\n"
        + "ALTER TABLE base ADD CONSTRAINT base_v_positive CHECK (v > 0) NO INHERIT;\n"
        + "ALTER TABLE base ALTER COLUMN v SET NOT NULL;\n");

    assertThat(questions).extracting(DataQuestion::sql).containsExactly(
        "SELECT 1 FROM ONLY public.base WHERE (id) IS NOT NULL GROUP BY (id) HAVING pg_catalog.count(*) > 1 LIMIT 1",
        "SELECT 1 FROM ONLY public.base WHERE NOT ((v > 0)) LIMIT 1",
        "SELECT 1 FROM public.base WHERE \"v\" IS NULL LIMIT 1");
  }

  @Test
  void aWriteToAPartitionIsItsParentsAndALaterWriteElsewhereHidesNothing() throws Exception {
    try (Connection c = connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE events (id bigint, at date, kind int) PARTITION BY RANGE (at); "
          + "CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')");
    }

    List<DataQuestion> questions = questions("""
        UPDATE events_2025 SET kind = 0 WHERE kind IS NULL;
        ALTER TABLE events ALTER COLUMN kind SET NOT NULL;
        ALTER TABLE people ADD COLUMN x int;
        INSERT INTO orders VALUES (1, 1, NULL);
        ALTER TABLE people ALTER COLUMN email SET NOT NULL;
        INSERT INTO people (id, email, nick) VALUES (3, 'c@example.com', 'c');
        ALTER TABLE people ALTER COLUMN nick SET NOT NULL;
        """);

    assertThat(questions).extracting(q -> q.statement() + " " + (q.asked() ? "asked" : q.notAsked()))
        .containsExactly("2 statement 1 (UPDATE) of V2__x.sql may change the rows of public.events first",
            "5 asked", "7 statement 6 (INSERT) of V2__x.sql may change the rows of public.people first");
  }

  @Test
  void asksWhetherACompositeValueIsNullNotWhetherItsFieldsAre() throws Exception {
    try (Connection c = connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TYPE pair AS (a int, b int); ALTER TABLE people ADD COLUMN p pair");
    }

    List<DataQuestion> questions = questions("ALTER TABLE people ALTER COLUMN p SET NOT NULL;\n");

    assertThat(questions).singleElement().satisfies(q -> assertThat(q.sql())
        .isEqualTo("SELECT 1 FROM public.people WHERE \"p\" IS NOT DISTINCT FROM NULL LIMIT 1"));
  }

  @Test
  void aForeignKeyToATableAPendingMigrationCreatesIsNotAsked() throws Exception {
    List<DataQuestion> questions = questions("CREATE TABLE buyers (id bigint PRIMARY KEY);\n"
        + "ALTER TABLE orders ADD CONSTRAINT orders_buyer_fk FOREIGN KEY (person_id) REFERENCES buyers (id);\n");

    assertThat(questions).singleElement().satisfies(q -> assertThat(q.notAsked())
        .isEqualTo("public.buyers is not on live as it is here: a pending migration creates it, so live does not "
            + "hold its rows"));
  }

  @Test
  void asksNothingAboutATableAnEarlierPendingMigrationCreates() throws Exception {
    List<MigrationReview> reviews = new PreflightReview(line -> {}).review(shadow, List.of(
        new PendingMigration("V2__t.sql", "CREATE TABLE t (id int);", MigrationTool.FLYWAY),
        new PendingMigration("V3__t.sql", "ALTER TABLE t ALTER COLUMN id SET NOT NULL;", MigrationTool.FLYWAY)));

    assertThat(reviews.get(1).statements()).singleElement()
        .satisfies(s -> assertThat(s.questions()).isEmpty());
  }

  @Test
  void asksAPartitionedTableOnceNotEachPartition() throws Exception {
    try (Connection c = connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE events (id bigint, at date, kind int) PARTITION BY RANGE (at); "
          + "CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01'); "
          + "CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')");
    }

    List<DataQuestion> questions = questions("ALTER TABLE events ALTER COLUMN kind SET NOT NULL;\n"
        + "CREATE UNIQUE INDEX events_id_key ON events (id, at);\n");

    assertThat(questions).extracting(DataQuestion::question).containsExactly("any NULL in public.events.kind?",
        "any duplicate of (id, at) in public.events?");
  }

  @Test
  void aNotValidNotNullAsksNothingUntilItIsValidated(TestPostgres pg) throws Exception {
    assumeTrue(pg.major() >= 18, "NOT NULL constraints may be NOT VALID from PostgreSQL 18");

    List<DataQuestion> questions = questions("ALTER TABLE people ADD CONSTRAINT people_email_nn NOT NULL email "
        + "NOT VALID;\nALTER TABLE people VALIDATE CONSTRAINT people_email_nn;\n");

    assertThat(questions).extracting(q -> q.statement() + " " + q.question())
        .containsExactly("2 any NULL in public.people.email?");
  }

  private List<DataQuestion> questions(String sql) throws Exception {
    List<MigrationReview> reviews = new PreflightReview(line -> {}).review(shadow,
        List.of(new PendingMigration("V2__x.sql", sql, MigrationTool.FLYWAY)));
    assertThat(reviews.get(0).failed()).as(reviews.get(0).findings().toString()).isFalse();
    return reviews.get(0).statements().stream().flatMap(s -> s.questions().stream()).toList();
  }

  private Connection connect() throws Exception {
    return DriverManager.getConnection(shadow.jdbcUrl(), shadow.user(), shadow.password());
  }
}

package io.pgvigil.daemon.review;

import static io.pgvigil.daemon.testing.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgvigil.checks.testing.TestServers;
import io.pgvigil.daemon.testing.CliRun;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code review --offline} and the shadow cache, end to end through the command line: no target server at all (its
 * url points nowhere), an embedded shadow of the test major, the applied history told by the flags or by git.
 */
class ReviewOfflineIT {

  private static final String V1 = "CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL);\n";
  private static final String V2 = "CREATE TABLE invoices (id bigint PRIMARY KEY, account_id bigint, total numeric);\n";
  private static final String V3 = "-- ids fit in an int\nALTER TABLE invoices ALTER COLUMN account_id TYPE int;\n";
  private static final String MAJOR = String.valueOf(TestServers.major());
  /** Where the review command keeps its cache in tests: PGVIGIL_DATA_DIR is unset, so under java.io.tmpdir. */
  private static final Path CACHE = Path.of(System.getProperty("java.io.tmpdir"), "pgvigil", "shadow-cache");

  @TempDir
  Path repo;

  @Test
  void reviewsThePendingFilesAfterTheGivenVersionWithoutTheTargetAndSaysWhatItSkipped() throws Exception {
    Path config = flyway(Map.of("V1__accounts.sql", V1, "V2__invoices.sql", V2, "V3__narrow.sql", V3));

    CliRun json = run("review", "--config", config.toString(), "--offline", "--pg-major", MAJOR,
        "--applied-through", "V2", "--format", "json");

    assertThat(json.exit()).as(json.err() + json.out()).isEqualTo(2);
    JsonObject app = new JsonObject(json.out()).getJsonArray("targets").getJsonObject(0);
    assertThat(app.getInteger("applied")).isEqualTo(2);
    assertThat(app.getJsonArray("migrations")).hasSize(1);
    assertThat(app.getJsonArray("migrations").getJsonObject(0).getString("file")).endsWith("V3__narrow.sql");
    assertThat(rules(app)).contains("table-rewrite");
    JsonObject offline = app.getJsonObject("offline");
    assertThat(offline.getInteger("pgMajor")).isEqualTo(TestServers.major());
    assertThat(offline.getString("applied")).isEqualTo("applied through V2");
    assertThat(offline.getJsonArray("skipped")).containsExactly("data-aware probes", "live sizes");
    assertThat(json.err()).contains("reviewing app offline").doesNotContain("127.0.0.1:1");

    CliRun text = run("review", "--config", config.toString(), "--offline", "--pg-major", MAJOR,
        "--applied-through", "2");
    assertThat(text.exit()).isEqualTo(2);
    assertThat(text.out()).contains("skipped (offline): data-aware probes, live sizes")
        .contains("block  table-rewrite");
    CliRun markdown = run("review", "--config", config.toString(), "--offline", "--pg-major", MAJOR,
        "--applied-through", "V2", "--format", "markdown");
    assertThat(markdown.out()).contains("Skipped (offline): data-aware probes, live sizes.");
  }

  @Test
  void wrongOfflineFlagsAreOneClearErrorEach() throws Exception {
    Path config = flyway(Map.of("V1__accounts.sql", V1, "V2__invoices.sql", V2));

    CliRun unknown = run("review", "--config", config.toString(), "--offline", "--pg-major", MAJOR,
        "--applied-through", "V7");
    assertThat(unknown.exit()).isEqualTo(1);
    assertThat(unknown.err()).contains("--applied-through V7 names no migration in").contains("from V1 to V2");

    CliRun noMajor = run("review", "--config", config.toString(), "--offline", "--applied-through", "V1");
    assertThat(noMajor.exit()).isEqualTo(1);
    assertThat(noMajor.err()).contains("--offline needs --pg-major N");

    CliRun both = run("review", "--config", config.toString(), "--offline", "--pg-major", "13",
        "--applied-through", "V1", "--applied-from-git", "HEAD");
    assertThat(both.exit()).isEqualTo(1);
    assertThat(both.err()).contains("--pg-major 13 is not a major pgvigil bundles")
        .contains("needs one of --applied-through MIGRATION and --applied-from-git REF");

    CliRun notOffline = run("review", "--config", config.toString(), "--applied-through", "V1");
    assertThat(notOffline.exit()).isEqualTo(1);
    assertThat(notOffline.err()).contains("--applied-through is only for --offline");
  }

  @Test
  void theFilesAtAGitCommitAreAppliedAndTheOnesAddedSincePending() throws Exception {
    Path config = flyway(Map.of("V1__accounts.sql", V1, "V2__invoices.sql", V2));
    git("init", "-q");
    git("add", ".");
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "applied");
    Files.writeString(repo.resolve("db/V3__narrow.sql"), V3);
    Files.writeString(repo.resolve("db/V1__accounts.sql"), "-- edited\n", StandardOpenOption.APPEND);

    CliRun result = run("review", "--config", config.toString(), "--offline", "--pg-major", MAJOR,
        "--applied-from-git", "HEAD", "--format", "json");

    assertThat(result.exit()).as(result.err() + result.out()).isEqualTo(2);
    JsonObject app = new JsonObject(result.out()).getJsonArray("targets").getJsonObject(0);
    assertThat(app.getInteger("applied")).isEqualTo(2);
    assertThat(app.getJsonArray("migrations").getJsonObject(0).getString("file")).endsWith("V3__narrow.sql");
    assertThat(app.getJsonObject("offline").getString("applied")).isEqualTo("applied as of git HEAD");
    assertThat(app.getJsonObject("offline").getJsonArray("notes").getString(0))
        .contains("V1__accounts.sql is applied").contains("changed since");

    CliRun unknownRef = run("review", "--config", config.toString(), "--offline", "--pg-major", MAJOR,
        "--applied-from-git", "no-such-branch");
    assertThat(unknownRef.exit()).isEqualTo(1);
    assertThat(unknownRef.err()).contains("git knows no commit 'no-such-branch'");
  }

  @Test
  void aSecondReviewStartsFromTheCacheWithTheSameFindingsAndAChangedAppliedFileMisses() throws Exception {
    // A history no other test has, so that the first run is a miss whatever ran before.
    String unique = "-- " + UUID.randomUUID() + "\n" + V1;
    Path config = flyway(Map.of("V1__accounts.sql", unique, "V2__invoices.sql", V2, "V3__narrow.sql", V3));
    String[] review = {"review", "--config", config.toString(), "--offline", "--pg-major", MAJOR,
        "--applied-through", "V2", "--format", "json"};
    Set<Path> before = entries();

    CliRun cold = run(review);
    Set<Path> saved = entries();
    saved.removeAll(before);
    CliRun warm = run(review);

    assertThat(cold.err()).contains("replaying 2 applied migrations").contains("saving the replayed shadow");
    assertThat(saved).hasSize(1);
    assertThat(warm.err()).contains("from the cache (2 applied migrations").doesNotContain("replaying");
    assertThat(findings(warm)).isEqualTo(findings(cold)).isNotEmpty();

    // A damaged entry is never used: it goes, and the history is replayed again.
    Path entry = saved.iterator().next();
    try (Stream<Path> files = Files.walk(entry.resolve("data/base"))) {
      Path file = files.filter(Files::isRegularFile).findFirst().orElseThrow();
      Files.write(file, new byte[] {1, 2, 3});
    }
    CliRun damaged = run(review);
    assertThat(damaged.err()).contains("is unusable").contains("replaying 2 applied migrations");
    assertThat(findings(damaged)).isEqualTo(findings(cold));

    Files.writeString(repo.resolve("db/V2__invoices.sql"), V2 + "COMMENT ON TABLE invoices IS 'bills';\n");
    CliRun changed = run(review);
    assertThat(changed.err()).contains("replaying 2 applied migrations").doesNotContain("from the cache");

    CliRun noCache = run(review[0], review[1], review[2], review[3], review[4], review[5], review[6], review[7],
        "--no-cache");
    assertThat(noCache.err()).contains("replaying 2 applied migrations").doesNotContain("saving");
  }

  @Test
  void twoReviewsAtOnceOfANewHistoryBothPassAndLeaveOneWholeEntry() throws Exception {
    String unique = "-- " + UUID.randomUUID() + "\n" + V1;
    Path config = flyway(Map.of("V1__accounts.sql", unique, "V2__invoices.sql", V2, "V3__narrow.sql", V3));
    String[] review = {"review", "--config", config.toString(), "--offline", "--pg-major", MAJOR,
        "--applied-through", "V2", "--format", "json"};
    Set<Path> before = entries();

    CompletableFuture<CliRun> first = CompletableFuture.supplyAsync(() -> run(review));
    CompletableFuture<CliRun> second = CompletableFuture.supplyAsync(() -> run(review));
    CliRun a = first.get(5, TimeUnit.MINUTES);
    CliRun b = second.get(5, TimeUnit.MINUTES);
    Set<Path> saved = entries();
    saved.removeAll(before);
    CliRun after = run(review);

    assertThat(a.exit()).as(a.err()).isEqualTo(2);
    assertThat(b.exit()).as(b.err()).isEqualTo(2);
    assertThat(findings(b)).isEqualTo(findings(a));
    assertThat(saved).hasSize(1);
    assertThat(after.err()).contains("from the cache (2 applied migrations").doesNotContain("unusable");
    assertThat(findings(after)).isEqualTo(findings(a));
  }

  /** A Flyway location {@code db} with {@code files}, and a config whose target cannot be reached. */
  private Path flyway(Map<String, String> files) throws IOException {
    Path location = Files.createDirectories(repo.resolve("db"));
    for (Map.Entry<String, String> file : files.entrySet()) {
      Files.writeString(location.resolve(file.getKey()), file.getValue());
    }
    return Files.writeString(repo.resolve("pgvigil.yaml"), """
        targets:
          - name: app
            url: postgresql://nobody@127.0.0.1:1/none
            migrations: { tool: flyway, locations: [./db] }
        """);
  }

  private void git(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("git", "-C", repo.toString()));
    command.addAll(List.of(args));
    Process git = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(git.waitFor()).as(out).isZero();
  }

  private static Set<Path> entries() throws IOException {
    if (!Files.isDirectory(CACHE)) {
      return new HashSet<>();
    }
    try (Stream<Path> list = Files.list(CACHE)) {
      return new HashSet<>(list.filter(p -> !p.getFileName().toString().startsWith(".")).toList());
    }
  }

  private static List<String> rules(JsonObject target) {
    return target.getJsonArray("findings").stream().map(f -> ((JsonObject) f).getString("rule")).toList();
  }

  private static JsonArray findings(CliRun run) {
    return new JsonObject(run.out()).getJsonArray("targets").getJsonObject(0).getJsonArray("findings");
  }
}

package io.pgvigil.daemon.review;

import static io.pgvigil.daemon.testing.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgvigil.checks.testing.TestServers;
import io.pgvigil.daemon.testing.CliRun;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
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
  /** The binaries unpacked once for every test; the rest of each test's --data-dir is its own. */
  private static final Path BINARIES = Path.of(System.getProperty("java.io.tmpdir"), "pgvigil", "postgres");

  @TempDir
  Path repo;

  @TempDir
  Path data;

  private Path cache;

  @BeforeEach
  void ownDataDir() throws IOException {
    Files.createDirectories(BINARIES);
    Files.createSymbolicLink(data.resolve("postgres"), BINARIES);
    cache = data.resolve("shadow-cache");
  }

  @Test
  void reviewsThePendingFilesAfterTheGivenVersionWithoutTheTargetAndSaysWhatItSkipped() throws Exception {
    Path config = flyway(Map.of("V1__accounts.sql", V1, "V2__invoices.sql", V2, "V3__narrow.sql", V3));

    CliRun json =
        run("review", "--data-dir", data.toString(), "--config", config.toString(), "--offline", "--pg-major", MAJOR,
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

    CliRun text =
        run("review", "--data-dir", data.toString(), "--config", config.toString(), "--offline", "--pg-major", MAJOR,
            "--applied-through", "2");
    assertThat(text.exit()).isEqualTo(2);
    assertThat(text.out()).contains("skipped (offline): data-aware probes, live sizes")
        .contains("block  table-rewrite");
    CliRun markdown =
        run("review", "--data-dir", data.toString(), "--config", config.toString(), "--offline", "--pg-major", MAJOR,
            "--applied-through", "V2", "--format", "markdown");
    assertThat(markdown.out()).contains("Skipped (offline): data-aware probes, live sizes.");
  }

  @Test
  void wrongOfflineFlagsAreOneClearErrorEach() throws Exception {
    Path config = flyway(Map.of("V1__accounts.sql", V1, "V2__invoices.sql", V2));

    CliRun unknown =
        run("review", "--data-dir", data.toString(), "--config", config.toString(), "--offline", "--pg-major", MAJOR,
            "--applied-through", "V7");
    assertThat(unknown.exit()).isEqualTo(1);
    assertThat(unknown.err()).contains("--applied-through V7 names no migration in").contains("from V1 to V2");

    CliRun noMajor = run("review", "--data-dir", data.toString(), "--config", config.toString(), "--offline",
        "--applied-through", "V1");
    assertThat(noMajor.exit()).isEqualTo(1);
    assertThat(noMajor.err()).contains("--offline needs --pg-major N");

    CliRun both =
        run("review", "--data-dir", data.toString(), "--config", config.toString(), "--offline", "--pg-major", "13",
            "--applied-through", "V1", "--applied-from-git", "HEAD");
    assertThat(both.exit()).isEqualTo(1);
    assertThat(both.err()).contains("--pg-major 13 is not a major pgvigil bundles")
        .contains("needs one of --applied-through MIGRATION and --applied-from-git REF");

    CliRun notOffline =
        run("review", "--data-dir", data.toString(), "--config", config.toString(), "--applied-through", "V1");
    assertThat(notOffline.exit()).isEqualTo(1);
    assertThat(notOffline.err()).contains("--applied-through is only for --offline");
  }

  @Test
  void theFilesAtAGitCommitAreAppliedAndTheOnesAddedSincePending() throws Exception {
    String view = "CREATE OR REPLACE VIEW totals AS SELECT account_id, sum(total) AS total FROM invoices GROUP BY 1;\n";
    Path config = flyway(Map.of("V1__accounts.sql", V1, "V2__invoices.sql", V2, "R__totals.sql", view));
    git("init", "-q");
    git("add", ".");
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "applied");
    Files.writeString(repo.resolve("db/V3__narrow.sql"), V3);
    Files.writeString(repo.resolve("db/V1__accounts.sql"), "-- edited\n", StandardOpenOption.APPEND);
    Files.writeString(repo.resolve("db/R__totals.sql"), "-- edited\n", StandardOpenOption.APPEND);

    CliRun result =
        run("review", "--data-dir", data.toString(), "--config", config.toString(), "--offline", "--pg-major", MAJOR,
            "--applied-from-git", "HEAD", "--format", "json");

    assertThat(result.exit()).as(result.err() + result.out()).isEqualTo(2);
    JsonObject app = new JsonObject(result.out()).getJsonArray("targets").getJsonObject(0);
    assertThat(app.getInteger("applied")).isEqualTo(3);
    // A repeatable changed since the commit is run again by Flyway: it is reviewed too.
    assertThat(app.getJsonArray("migrations").stream().map(m -> ((JsonObject) m).getString("file")))
        .satisfiesExactly(f -> assertThat(f).endsWith("V3__narrow.sql"), f -> assertThat(f).endsWith("R__totals.sql"));
    assertThat(app.getJsonObject("offline").getString("applied")).isEqualTo("applied as of git HEAD");
    assertThat(app.getJsonObject("offline").getJsonArray("notes").getString(0))
        .contains("V1__accounts.sql is applied").contains("changed since");
    assertThat(app.getJsonObject("offline").getJsonArray("notes").getString(1))
        .contains("R__totals.sql changed since HEAD").contains("reviewed as pending");

    CliRun unknownRef =
        run("review", "--data-dir", data.toString(), "--config", config.toString(), "--offline", "--pg-major", MAJOR,
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
        "--applied-through", "V2", "--format", "json", "--data-dir", data.toString()};
    Set<Path> before = entries();

    CliRun cold = run(review);
    Set<Path> saved = entries();
    saved.removeAll(before);
    CliRun warm = run(review);

    assertThat(cold.err()).contains("replaying 2 applied migrations").contains("saving the replayed shadow");
    assertThat(saved).hasSize(1);
    assertThat(warm.err()).contains("from the cache (2 applied migrations").doesNotContain("replaying");
    assertThat(findings(warm)).isEqualTo(findings(cold)).isNotEmpty();

    // A damaged entry is never used: it goes, and the history is replayed again; a pack cut short ...
    Path entry = saved.iterator().next();
    Path pack = entry.resolve("data.pack");
    try (FileChannel channel = FileChannel.open(pack, StandardOpenOption.WRITE)) {
      channel.truncate(channel.size() - 1);
    }
    CliRun damaged = run(review);
    assertThat(damaged.err()).contains("is unusable").contains("replaying 2 applied migrations");
    assertThat(findings(damaged)).isEqualTo(findings(cold));
    // ... or of the same size with other bytes (zeros after a crash, say).
    byte[] bytes = Files.readAllBytes(pack);
    assertThat(bytes).isNotEmpty();
    bytes[bytes.length / 2] ^= (byte) 0xff;
    Files.write(pack, bytes);
    CliRun flipped = run(review);
    assertThat(flipped.err()).contains("is unusable").contains("damaged").contains("replaying 2 applied migrations");
    assertThat(findings(flipped)).isEqualTo(findings(cold));

    Files.writeString(repo.resolve("db/V2__invoices.sql"), V2 + "COMMENT ON TABLE invoices IS 'bills';\n");
    CliRun changed = run(review);
    assertThat(changed.err()).contains("replaying 2 applied migrations").doesNotContain("from the cache");

    String[] noCacheArgs = Arrays.copyOf(review, review.length + 1);
    noCacheArgs[review.length] = "--no-cache";
    CliRun noCache = run(noCacheArgs);
    assertThat(noCache.err()).contains("replaying 2 applied migrations").doesNotContain("saving");
  }

  @Test
  void twoReviewsAtOnceOfANewHistoryBothPassAndLeaveOneWholeEntry() throws Exception {
    String unique = "-- " + UUID.randomUUID() + "\n" + V1;
    Path config = flyway(Map.of("V1__accounts.sql", unique, "V2__invoices.sql", V2, "V3__narrow.sql", V3));
    String[] review = {"review", "--config", config.toString(), "--offline", "--pg-major", MAJOR,
        "--applied-through", "V2", "--format", "json", "--data-dir", data.toString()};
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

  @Test
  void aCacheDirectoryOthersMayWriteIsNotUsed() throws Exception {
    Files.createDirectory(cache, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwxrwxrwx"));
    Path config = flyway(Map.of("V1__accounts.sql", V1, "V2__invoices.sql", V2, "V3__narrow.sql", V3));

    CliRun review =
        run("review", "--data-dir", data.toString(), "--config", config.toString(), "--offline", "--pg-major", MAJOR,
            "--applied-through", "V2", "--format", "json");

    assertThat(review.exit()).as(review.err()).isEqualTo(2);
    assertThat(review.err()).contains("not using the shadow cache: " + cache + " may be written by others")
        .contains("replaying 2 applied migrations").doesNotContain("saving");
    assertThat(entries()).isEmpty();
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

  private Set<Path> entries() throws IOException {
    if (!Files.isDirectory(cache)) {
      return new HashSet<>();
    }
    try (Stream<Path> list = Files.list(cache)) {
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

package io.pgvigil.checks.shadow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgvigil.checks.history.MigrationSource;
import io.pgvigil.checks.schema.CatalogObject;
import io.pgvigil.checks.schema.ObjectKind;
import io.pgvigil.checks.schema.ObjectRef;
import io.pgvigil.checks.schema.SchemaSnapshot;
import io.pgvigil.checks.schema.SnapshotCodec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Expected schemas on disk: what comes back is what went in, and anything else is a miss, never a wrong schema. */
class ExpectedSnapshotStoreTest {

  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-02T12:00:00Z"), ZoneOffset.UTC);

  @TempDir
  Path dir;

  Path cache;
  Path location;
  MigrationSource source;
  List<String> problems = new ArrayList<>();

  @BeforeEach
  void history() throws IOException {
    cache = dir.resolve("drift-cache");
    location = Files.createDirectories(dir.resolve("db/migration"));
    Files.writeString(location.resolve("V1__users.sql"), "CREATE TABLE users (id int);\nGRANT SELECT ON users TO "
        + "Reporting;\n");
    Files.writeString(location.resolve("V2__orders.sql"), "CREATE TABLE orders (id int);\n");
    source = new MigrationSource.Flyway(List.of(location), "flyway_schema_history", List.of(), false);
  }

  /** Every field, nulls, a text longer than 64 KB (writeUTF's limit), characters beyond the BMP. */
  static SchemaSnapshot snapshot() {
    SortedMap<ObjectRef, CatalogObject> objects = new TreeMap<>();
    ObjectRef table = new ObjectRef(ObjectKind.TABLE, "public.users");
    objects.put(table, new CatalogObject(table, List.of(), "public.users", Map.of("persistence", "p"), 0));
    ObjectRef column = new ObjectRef(ObjectKind.COLUMN, "public.users.name \u00e9\ud83d\ude00");
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put("type", "text");
    attributes.put("default", "'" + "x".repeat(70_000) + "'::text");
    attributes.put("empty", "");
    objects.put(column, new CatalogObject(column, List.of(table), "\"name \u00e9\ud83d\ude00\"", attributes, 3));
    ObjectRef comment = new ObjectRef(ObjectKind.COMMENT, "table public.users");
    objects.put(comment, new CatalogObject(comment, List.of(table), null, Map.of("text", "the users"), 0));
    return new SchemaSnapshot(170_004, objects, 19);
  }

  @Test
  void theCodecGivesBackEveryField() throws IOException {
    SchemaSnapshot snapshot = snapshot();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    SnapshotCodec.write(snapshot, bytes);

    assertThat(SnapshotCodec.read(new ByteArrayInputStream(bytes.toByteArray()))).isEqualTo(snapshot);
  }

  @Test
  void whatIsWrittenUnderAKeyIsReadBackUnderIt() throws IOException {
    ExpectedSnapshotStore store = store("1.0");
    String key = store.key("embedded 17.7", source, List.of("V1__users.sql", "V2__orders.sql"), "compared", List.of());
    assertThat(store.read(key, problems::add)).isEmpty();

    store.write(key, new ExpectedSnapshotStore.Stored(snapshot(), "replay of 2"), problems::add);

    Optional<ExpectedSnapshotStore.Stored> read = store.read(key, problems::add);
    assertThat(read).isPresent();
    assertThat(read.get().snapshot()).isEqualTo(snapshot());
    assertThat(read.get().from()).isEqualTo("replay of 2");
    assertThat(problems).isEmpty();
    assertThat(entries()).hasSize(1);
  }

  @Test
  void theKeyChangesWithEverythingTheSchemaDependsOn() throws IOException {
    List<String> applied = List.of("V1__users.sql", "V2__orders.sql");
    String key = store("1.0").key("embedded 17.7", source, applied, "compared", List.of());

    assertThat(store("1.1").key("embedded 17.7", source, applied, "compared", List.of())).as("pgvigil")
        .isNotEqualTo(key);
    assertThat(store("1.0").key("embedded 16.11", source, applied, "compared", List.of())).as("server")
        .isNotEqualTo(key);
    assertThat(store("1.0").key("embedded 17.7", source, applied.subList(0, 1), "compared", List.of()))
        .as("history").isNotEqualTo(key);
    assertThat(store("1.0").key("embedded 17.7", source, applied, "compared, grants", List.of())).as("variant")
        .isNotEqualTo(key);
    assertThat(store("1.0").key("embedded 17.7", new MigrationSource.Flyway(List.of(location), "history", List.of(),
        false), applied, "compared", List.of())).as("tool settings").isNotEqualTo(key);
    // A role a file names (in any case) counts; one none names cannot change the replay.
    assertThat(store("1.0").key("embedded 17.7", source, applied, "compared", List.of("reporting")))
        .as("a named role").isNotEqualTo(key);
    assertThat(store("1.0").key("embedded 17.7", source, applied, "compared", List.of("v-token-app-4711")))
        .as("a role no file names").isEqualTo(key);

    Files.writeString(location.resolve("V2__orders.sql"), "CREATE TABLE orders (id bigint);\n");
    String edited = store("1.0").key("embedded 17.7", source, applied, "compared", List.of());
    assertThat(edited).as("a file's bytes").isNotEqualTo(key);

    // A file that reads the catalog's roles may depend on any of them.
    Files.writeString(location.resolve("V2__orders.sql"), "DO $$ DECLARE r record; BEGIN FOR r IN SELECT rolname "
        + "FROM pg_roles WHERE rolname LIKE 'tenant_%' LOOP EXECUTE format('GRANT SELECT ON users TO %I', r.rolname);"
        + " END LOOP; END $$;\n");
    String dynamic = store("1.0").key("embedded 17.7", source, applied, "compared", List.of());
    assertThat(store("1.0").key("embedded 17.7", source, applied, "compared", List.of("tenant_42")))
        .as("any role, with a file reading pg_roles").isNotEqualTo(dynamic);
    assertThat(key).isEqualTo(key.strip()).hasSize(64);
  }

  @Test
  void aDamagedEntryIsRemovedAndToldNeverRead() throws IOException {
    ExpectedSnapshotStore store = store("1.0");
    String key = store.key("embedded 17.7", source, List.of("V1__users.sql"), "", List.of());
    store.write(key, new ExpectedSnapshotStore.Stored(snapshot(), "replay of 1"), problems::add);
    Path entry = entries().get(0);
    byte[] bytes = Files.readAllBytes(entry);
    bytes[bytes.length / 2] ^= 0x01;
    Files.write(entry, bytes);

    assertThat(store.read(key, problems::add)).isEmpty();
    assertThat(problems).singleElement().asString().contains("is unusable (checksum mismatch)");
    assertThat(entry).doesNotExist();

    problems.clear();
    store.write(key, new ExpectedSnapshotStore.Stored(snapshot(), "replay of 1"), problems::add);
    Files.write(entry, Arrays.copyOf(Files.readAllBytes(entry), 100)); // torn by a crash
    assertThat(store.read(key, problems::add)).isEmpty();
    assertThat(problems).singleElement().asString().contains("is unusable");
  }

  @Test
  void anEntryRenamedToAnotherKeyIsNotThatKeysSchema() throws IOException {
    ExpectedSnapshotStore store = store("1.0");
    String one = store.key("embedded 17.7", source, List.of("V1__users.sql"), "", List.of());
    String two = store.key("embedded 17.7", source, List.of("V1__users.sql", "V2__orders.sql"), "", List.of());
    store.write(one, new ExpectedSnapshotStore.Stored(snapshot(), "replay of 1"), problems::add);
    Files.move(entries().get(0), cache.resolve(two + ".schema"));

    assertThat(store.read(two, problems::add)).isEmpty();
    assertThat(problems).singleElement().asString().contains("it holds another key");
  }

  @Test
  void theEntriesUsedLastAreKept() throws IOException {
    ExpectedSnapshotStore store = new ExpectedSnapshotStore(cache, "1.0", 2, CLOCK);
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String key = store.key("embedded 17.7", source, List.of("V1__users.sql"), "variant " + i, List.of());
      keys.add(key);
      store.write(key, new ExpectedSnapshotStore.Stored(snapshot(), "replay " + i), problems::add);
      // Written one after the other: the first is the least recently used.
      Files.setLastModifiedTime(cache.resolve(key + ".schema"), FileTime.from(Instant.now().minusSeconds(600 - i)));
    }
    store.write(keys.get(2), new ExpectedSnapshotStore.Stored(snapshot(), "replay 2"), problems::add);

    assertThat(entries()).hasSize(2).noneMatch(p -> p.getFileName().toString().startsWith(keys.get(0)));

    // An entry a daemon keeps using from memory is marked used, and outlives one written since.
    Files.setLastModifiedTime(cache.resolve(keys.get(1) + ".schema"), FileTime.from(Instant.now().minusSeconds(900)));
    Files.setLastModifiedTime(cache.resolve(keys.get(2) + ".schema"), FileTime.from(Instant.now().minusSeconds(800)));
    new ExpectedSnapshotStore(cache, "1.0", 2, Clock.systemUTC()).markUsed(keys.get(1));
    String fourth = store.key("embedded 17.7", source, List.of("V1__users.sql"), "variant 3", List.of());
    store.write(fourth, new ExpectedSnapshotStore.Stored(snapshot(), "replay 3"), problems::add);
    assertThat(entries()).extracting(p -> p.getFileName().toString())
        .containsExactlyInAnyOrder(keys.get(1) + ".schema", fourth + ".schema");
  }

  @Test
  void aLinkOrAHugeCountInAnEntryIsNeverRead() throws IOException {
    ExpectedSnapshotStore store = store("1.0");
    String key = store.key("embedded 17.7", source, List.of("V1__users.sql"), "", List.of());
    Path elsewhere = dir.resolve("planted.schema");
    Files.write(elsewhere, ExpectedSnapshotStore.encode(key, new ExpectedSnapshotStore.Stored(snapshot(), "x")));
    Files.createDirectories(cache);
    Files.createSymbolicLink(cache.resolve(key + ".schema"), elsewhere);

    assertThat(store.read(key, problems::add)).isEmpty();
    assertThat(problems).singleElement().asString().contains("is not a regular file");

    // A well-framed entry (right CRC) whose object count is absurd: refused before anything is allocated for it.
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(1);
    out.writeInt(170_004);
    out.writeInt(19);
    out.writeInt(Integer.MAX_VALUE);
    assertThatThrownBy(() -> SnapshotCodec.read(new ByteArrayInputStream(bytes.toByteArray())))
        .isInstanceOf(IOException.class).hasMessageContaining("count 2147483647");
  }

  @Test
  void aDirectoryOthersMayWriteIsRefused() throws IOException {
    Files.createDirectories(cache);
    Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwxrwxrwx"));

    assertThat(store("1.0").unsafe()).contains("may be written by others");
    Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwx------"));
    assertThat(store("1.0").unsafe()).isNull();
  }

  private ExpectedSnapshotStore store(String version) {
    return new ExpectedSnapshotStore(cache, version, ExpectedSnapshotStore.DEFAULT_KEEP, CLOCK);
  }

  private List<Path> entries() throws IOException {
    try (Stream<Path> list = Files.list(cache)) {
      return list.filter(p -> p.getFileName().toString().endsWith(".schema")).sorted().toList();
    }
  }
}

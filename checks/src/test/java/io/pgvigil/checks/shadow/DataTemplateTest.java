package io.pgvigil.checks.shadow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A cluster packed into one file comes back whole, private, and only from a pack that matches its list. */
class DataTemplateTest {

  @TempDir
  Path work;

  @Test
  void aPackedTreeUnpacksToTheSameFilesWithPrivateModesAndWithoutThePidFile() throws IOException {
    Path source = cluster();
    Path dir = Files.createDirectory(work.resolve("entry"));

    DataTemplate template = DataTemplate.copy(source, dir);
    assertThat(template.complete()).as("not complete before it is sealed").isFalse();
    template.seal();
    Path copy = work.resolve("copy");
    template.copyTo(copy);

    assertThat(template.complete()).isTrue();
    assertThat(copy.resolve("PG_VERSION")).hasContent("17");
    assertThat(Files.readAllBytes(copy.resolve("base/5/1259"))).isEqualTo(Files.readAllBytes(source.resolve(
        "base/5/1259")));
    assertThat(copy.resolve("pg_tblspc")).isEmptyDirectory();
    assertThat(copy.resolve("postmaster.pid")).doesNotExist();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(copy.resolve("base")))).isEqualTo(
        "rwx------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(copy.resolve("PG_VERSION")))).isEqualTo(
        "rw-------");
  }

  @Test
  void aListThatReachesOutOfTheClusterOrDoesNotMatchThePackIsRefused() throws IOException {
    Path dir = Files.createDirectory(work.resolve("entry"));
    DataTemplate template = DataTemplate.copy(cluster(), dir).seal();
    List<String> listed = Files.readAllLines(dir.resolve("files"), StandardCharsets.UTF_8);

    Files.write(dir.resolve("files"), sealed("d ../outside"), StandardCharsets.UTF_8);
    assertThatThrownBy(() -> template.copyTo(work.resolve("a"))).hasMessageContaining("outside the cluster");
    assertThat(work.resolve("outside")).doesNotExist();

    Files.write(dir.resolve("files"), listed, StandardCharsets.UTF_8);
    Files.write(dir.resolve("data.pack"), new byte[] {0}, StandardOpenOption.APPEND);
    assertThatThrownBy(() -> template.copyTo(work.resolve("b"))).hasMessageContaining("1 bytes more than its list");
  }

  @Test
  void unpacksUnderATargetNamedWithDotSegments() throws IOException {
    Path dir = Files.createDirectory(work.resolve("entry"));
    DataTemplate template = DataTemplate.copy(cluster(), dir).seal();

    template.copyTo(work.resolve("./x/../copy"));

    assertThat(work.resolve("copy/base/5/1259")).exists();
  }

  @Test
  void aListWhoseOwnBytesChangedOrThatNamesANegativeSizeIsRefused() throws IOException {
    Path dir = Files.createDirectory(work.resolve("entry"));
    DataTemplate template = DataTemplate.copy(cluster(), dir).seal();
    List<String> listed = Files.readAllLines(dir.resolve("files"), StandardCharsets.UTF_8);
    assertThat(listed.get(listed.size() - 1)).startsWith("crc ");

    // A line lost from the end of the list: every file still listed unpacks with its checksum, but not all are there.
    List<String> shortened = new ArrayList<>(listed);
    shortened.remove(shortened.size() - 2);
    Files.write(dir.resolve("files"), shortened, StandardCharsets.UTF_8);
    assertThatThrownBy(() -> template.copyTo(work.resolve("a"))).hasMessageContaining("file list is damaged");

    Files.write(dir.resolve("files"), listed.subList(0, listed.size() - 1), StandardCharsets.UTF_8);
    assertThatThrownBy(() -> template.copyTo(work.resolve("b"))).hasMessageContaining("no checksum line");

    Files.write(dir.resolve("files"), sealed("f -1 0 PG_VERSION"), StandardCharsets.UTF_8);
    assertThatThrownBy(() -> template.copyTo(work.resolve("c"))).hasMessageContaining("file list is damaged");
  }

  /** {@code lines} with the checksum line a sealed list ends with. */
  private static List<String> sealed(String... lines) {
    CRC32C crc = new CRC32C();
    for (String line : lines) {
      crc.update((line + "\n").getBytes(StandardCharsets.UTF_8));
    }
    List<String> all = new ArrayList<>(List.of(lines));
    all.add("crc " + Long.toHexString(crc.getValue()));
    return all;
  }

  private Path cluster() throws IOException {
    Files.createDirectories(work.resolve("cluster/base/5"));
    Path source = work.resolve("cluster");
    Files.createDirectories(source.resolve("pg_tblspc"));
    Files.writeString(source.resolve("PG_VERSION"), "17");
    Files.writeString(source.resolve("postmaster.pid"), "4242");
    byte[] page = new byte[3 * 8192 + 17];
    for (int i = 0; i < page.length; i++) {
      page[i] = (byte) (i * 31);
    }
    Files.write(source.resolve("base/5/1259"), page);
    Files.write(source.resolve("base/5/1259_fsm"), new byte[0]);
    return source;
  }
}

package io.pgvigil.daemon.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pgvigil.common.SecretValue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code ${file:…}} reads secrets: plain files of at most 1 MiB, never a device, a FIFO or a directory. */
class SecretFileTest {

  @TempDir
  Path dir;

  private PgvigilConfig parse(String passwordFile) throws ConfigException {
    return new ConfigLoader(Map.of()).parse("""
        targets:
          - name: app
            url: postgresql://pgvigil@db:5432/app
            password: "${file:%s}"
        """.formatted(passwordFile), dir, "config.yaml");
  }

  private String problems(String passwordFile) {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> parse(passwordFile));
    assertThat(e).as("expected the config to be rejected").isNotNull();
    return e.getMessage();
  }

  @Test
  void readsAFileOfExactlyOneMebibyte() throws Exception {
    Files.write(dir.resolve("big.secret"), "x".repeat(Substitution.MAX_FILE_BYTES).getBytes());

    PgvigilConfig config = parse("big.secret");

    assertThat(config.targets().get(0).url().password().map(SecretValue::reveal).orElseThrow())
        .hasSize(1024 * 1024);
  }

  @Test
  void rejectsAFileLargerThanOneMebibyteByName() throws Exception {
    Files.write(dir.resolve("huge.secret"), "x".repeat(Substitution.MAX_FILE_BYTES + 1).getBytes());

    assertThat(problems("huge.secret")).isEqualTo("targets[0].password: file huge.secret is larger than 1 MiB; "
        + "${file:} is for secrets such as a password or a token, give the file that holds only that");
  }

  @Test
  @Timeout(value = 10, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void rejectsADeviceWithoutReadingIt() {
    // /dev/zero never ends: it used to be read until the heap was gone (3.7 GB seen).
    assertThat(problems("/dev/zero")).isEqualTo("targets[0].password: file /dev/zero is not a regular file; "
        + "${file:} reads secrets from plain files");
  }

  @Test
  @Timeout(value = 10, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void rejectsAFifoWithoutWaitingForAWriter() throws Exception {
    Path fifo = dir.resolve("pg.fifo");
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assertThat(mkfifo.waitFor()).isEqualTo(0);

    assertThat(problems("pg.fifo")).contains("file pg.fifo is not a regular file");
  }

  @Test
  void rejectsADirectory() throws Exception {
    Files.createDirectory(dir.resolve("secrets"));

    assertThat(problems("secrets")).contains("file secrets is not a regular file");
  }

  @Test
  void readsASecretThroughASymlinkAsKubernetesMountsThem() throws Exception {
    Path data = Files.writeString(dir.resolve("..data-pg"), "s3cret\n");
    Files.createSymbolicLink(dir.resolve("pg"), data);

    assertThat(parse("pg").targets().get(0).url().password().map(SecretValue::reveal)).contains("s3cret");
  }
}

package io.pgvigil.daemon.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemMaterialTest {

  @TempDir
  Path dir;

  @Test
  void readsPkcs8KeysOfEveryCommonKind() throws Exception {
    for (KeyPair keys : List.of(TestCa.rsaKeys(), TestCa.ecKeys())) {
      PemSource pem = new PemSource.Text(TestCa.pem(keys.getPrivate()));

      assertThat(PemMaterial.privateKey(pem, "sslkey").getEncoded()).isEqualTo(keys.getPrivate().getEncoded());
    }
  }

  @Test
  void readsPkcs1RsaKeysAsOlderOpensslWritesThem() throws Exception {
    KeyPair keys = TestCa.rsaKeys();
    Path file = TestCa.write(dir.resolve("client.key"), TestCa.pkcs1Pem(keys.getPrivate()));

    assertThat(PemMaterial.privateKey(new PemSource.File(file), "sslkey").getEncoded())
        .isEqualTo(keys.getPrivate().getEncoded());
  }

  @Test
  void readsEveryCertificateOfABundle() throws Exception {
    TestCa one = TestCa.create("one");
    TestCa two = TestCa.create("two");
    Path bundle = TestCa.write(dir.resolve("bundle.pem"),
        TestCa.pem(one.certificate()) + "some comment\n" + TestCa.pem(two.certificate()));

    assertThat(PemMaterial.certificates(new PemSource.File(bundle), "sslrootcert"))
        .containsExactly(one.certificate(), two.certificate());
  }

  @Test
  void refusesWhatItCannotUseWithAMessageThatNamesTheFileButNotTheContent() throws Exception {
    Path missing = dir.resolve("missing.pem");
    Path key = TestCa.write(dir.resolve("key.pem"), TestCa.pem(TestCa.ecKeys().getPrivate()));
    Path encrypted = TestCa.write(dir.resolve("enc.pem"), TestCa.pem("ENCRYPTED PRIVATE KEY", new byte[] {1, 2}));
    Path sec1 = TestCa.write(dir.resolve("ec.pem"), TestCa.pem("EC PRIVATE KEY", new byte[] {1, 2}));

    assertThatThrownBy(() -> PemMaterial.certificates(new PemSource.File(missing), "sslrootcert"))
        .hasMessage("sslrootcert file " + missing + " does not exist");
    assertThatThrownBy(() -> PemMaterial.certificates(new PemSource.File(key), "sslrootcert"))
        .hasMessage("sslrootcert " + key + " holds no PEM certificate (a -----BEGIN CERTIFICATE----- block)");
    assertThatThrownBy(() -> PemMaterial.privateKey(new PemSource.File(encrypted), "sslkey"))
        .hasMessageStartingWith("sslkey " + encrypted + " is encrypted; pgvigil takes an unencrypted key");
    assertThatThrownBy(() -> PemMaterial.privateKey(new PemSource.File(sec1), "sslkey"))
        .hasMessageContaining("EC key in the SEC1 format; convert it with: openssl pkcs8 -topk8 -nocrypt");
    assertThatThrownBy(() -> PemMaterial.privateKey(new PemSource.Text(TestCa.pem("PRIVATE KEY", new byte[] {7})),
        "sslkey")).hasMessage("sslkey the inline PEM holds a private key of an unsupported kind"
            + " (pgvigil reads RSA, EC and EdDSA keys)");
  }
}

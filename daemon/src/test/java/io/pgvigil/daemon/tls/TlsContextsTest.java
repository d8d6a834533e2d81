package io.pgvigil.daemon.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class TlsContextsTest {

  private static TlsSettings mode(SslMode mode) {
    return new TlsSettings(mode, Optional.empty(), Optional.empty(), Optional.empty());
  }

  @Test
  void verifyCaWithoutARootCertificateIsRefusedInsteadOfTrustingThePublicCas() {
    // Public CAs sign certificates for anyone's own domain, and verify-ca does not check the host name.
    assertThatThrownBy(() -> TlsContexts.trustManager(mode(SslMode.VERIFY_CA)))
        .isInstanceOf(TlsSetupException.class)
        .hasMessage("sslmode=verify-ca needs sslrootcert; give it, or use sslmode=verify-full with sslrootcert=system");
    Properties jdbc = new Properties();
    jdbc.setProperty("sslmode", "verify-ca");
    assertThatThrownBy(() -> new PemSslSocketFactory(jdbc)).isInstanceOf(TlsSetupException.class);
  }

  @Test
  void aJdbcConnectionThatLostTheIdOfItsInlineRootCertificateFailsInsteadOfTrustingEveryone() throws Exception {
    TlsSettings tls = new TlsSettings(SslMode.REQUIRE,
        Optional.of(new PemSource.Text(TestCa.pem(TestCa.create("ca").certificate()))), Optional.empty(),
        Optional.empty());
    Properties jdbc = new Properties();
    jdbc.putAll(JdbcTls.parameters(tls));
    assertThat(jdbc).doesNotContainValue(((PemSource.Text) tls.rootCert().get()).pem());

    new PemSslSocketFactory(jdbc);
    jdbc.remove(JdbcTls.FACTORY_ARG);
    assertThatThrownBy(() -> new PemSslSocketFactory(jdbc)).isInstanceOf(TlsSetupException.class)
        .hasMessageContaining("sslrootcert");
  }

  @Test
  void verifyFullWithoutARootCertificateUsesTheJdkTrustStore() throws Exception {
    assertThat(TlsContexts.trustManager(mode(SslMode.VERIFY_FULL))).isPresent();
    assertThat(TlsContexts.trustManager(new TlsSettings(SslMode.VERIFY_CA,
        Optional.of(new PemSource.Text(TestCa.pem(TestCa.create("ca").certificate()))), Optional.empty(),
        Optional.empty()))).isPresent();
  }
}

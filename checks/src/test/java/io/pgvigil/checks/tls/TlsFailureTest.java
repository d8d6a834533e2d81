package io.pgvigil.checks.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.sql.SQLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

class TlsFailureTest {

  @Test
  void findsTheCertificateProblemDeepInTheCauseChain() {
    SSLHandshakeException handshake = new SSLHandshakeException("PKIX path validation failed");
    handshake.initCause(new CertificateException("x", new CertPathValidatorException("signature check failed")));
    SQLException wrapped = new SQLException("SSL error: PKIX path validation failed", "08006", handshake);

    assertThat(TlsFailure.reason(wrapped, "db.example")).contains("the TLS certificate of db.example is not"
        + " trusted: no CA of sslrootcert (or, without sslrootcert, of the JDK's trust store) signed it");
  }

  @Test
  void namesAnExpiredCertificateAndAHostNameMismatch() {
    assertThat(TlsFailure.reason(new CertificateException("wrapped", new CertificateExpiredException("NotAfter: x")),
        "db"))
        .hasValueSatisfying(r -> assertThat(r).startsWith("the TLS certificate of db is expired or not yet valid"));
    assertThat(TlsFailure.reason(new SQLException("The hostname db could not be verified by hostnameverifier"
        + " PgjdbcHostnameVerifier."), "db")).hasValueSatisfying(r -> assertThat(r)
            .startsWith("the TLS certificate of db is not issued for the host name db"));
  }

  @Test
  void saysNothingAboutFailuresThatAreNotTls() {
    assertThat(TlsFailure.reason(new ConnectException("Connection refused"), "db")).isEmpty();
    assertThat(TlsFailure.reason(new SQLException("password authentication failed", "28P01"), "db")).isEmpty();
  }
}

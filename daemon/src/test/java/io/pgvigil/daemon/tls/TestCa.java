package io.pgvigil.daemon.tls;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A throwaway certificate authority made in the test, and the certificates it issues. */
public final class TestCa {

  private final KeyPair keys;
  private final X509Certificate certificate;
  private final AtomicLong serial = new AtomicLong(1);

  private TestCa(KeyPair keys, X509Certificate certificate) {
    this.keys = keys;
    this.certificate = certificate;
  }

  /** A key and its certificate. */
  public record Issued(PrivateKey key, X509Certificate certificate) {}

  public static TestCa create(String name) throws Exception {
    KeyPair keys = ecKeys();
    X500Name subject = new X500Name("CN=" + name);
    JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, BigInteger.ONE,
        Date.from(Instant.now().minus(Duration.ofHours(1))), Date.from(Instant.now().plus(Duration.ofDays(2))),
        subject, keys.getPublic());
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    return new TestCa(keys, sign(builder, keys.getPrivate()));
  }

  public X509Certificate certificate() {
    return certificate;
  }

  /** A server certificate naming these DNS names (none: a client certificate for user {@code commonName}). */
  public Issued issue(String commonName, List<String> dnsNames) throws Exception {
    return issue(commonName, dnsNames, ecKeys());
  }

  public Issued issue(String commonName, List<String> dnsNames, KeyPair subjectKeys) throws Exception {
    JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
        new X500Name(certificate.getSubjectX500Principal().getName()), BigInteger.valueOf(serial.incrementAndGet()),
        Date.from(Instant.now().minus(Duration.ofHours(1))), Date.from(Instant.now().plus(Duration.ofDays(1))),
        new X500Name("CN=" + commonName), subjectKeys.getPublic());
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    if (!dnsNames.isEmpty()) {
      builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(
          dnsNames.stream().map(n -> new GeneralName(GeneralName.dNSName, n)).toArray(GeneralName[]::new)));
    }
    return new Issued(subjectKeys.getPrivate(), sign(builder, keys.getPrivate()));
  }

  public static KeyPair ecKeys() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  public static KeyPair rsaKeys() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    return generator.generateKeyPair();
  }

  private static X509Certificate sign(JcaX509v3CertificateBuilder builder, PrivateKey issuerKey) throws Exception {
    String algorithm = issuerKey.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
    return new JcaX509CertificateConverter().getCertificate(
        builder.build(new JcaContentSignerBuilder(algorithm).build(issuerKey)));
  }

  public static String pem(X509Certificate certificate) throws GeneralSecurityException {
    return pem("CERTIFICATE", certificate.getEncoded());
  }

  /** PKCS#8, what OpenSSL 3 writes. */
  public static String pem(PrivateKey key) {
    return pem("PRIVATE KEY", key.getEncoded());
  }

  /** PKCS#1, what older {@code openssl genrsa} writes. */
  public static String pkcs1Pem(PrivateKey rsaKey) throws Exception {
    return pem("RSA PRIVATE KEY",
        PrivateKeyInfo.getInstance(rsaKey.getEncoded()).parsePrivateKey().toASN1Primitive().getEncoded());
  }

  public static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  /** Writes owner-only (PostgreSQL refuses a key file others can read). */
  public static Path write(Path file, String text) throws Exception {
    Files.deleteIfExists(file);
    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, text, StandardCharsets.US_ASCII);
    return file;
  }
}

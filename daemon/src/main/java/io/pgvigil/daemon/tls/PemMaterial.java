package io.pgvigil.daemon.tls;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM certificates and private keys with the JDK alone, so that the reactive client and pgjdbc accept exactly the
 * same files. Keys: PKCS#8 ({@code BEGIN PRIVATE KEY}, what {@code openssl genpkey} and OpenSSL 3 write; RSA, EC or
 * EdDSA) and PKCS#1 RSA ({@code BEGIN RSA PRIVATE KEY}). Messages never quote the content.
 */
public final class PemMaterial {

  private static final Pattern BLOCK = Pattern.compile(
      "-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);
  private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS");
  private static final String TO_PKCS8 = "convert it with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8";

  private PemMaterial() {}

  /** Every certificate in the source, in order (a CA bundle, or a client certificate and its chain). */
  public static List<X509Certificate> certificates(PemSource source, String what) throws TlsSetupException {
    List<X509Certificate> certificates = new ArrayList<>();
    Matcher block = BLOCK.matcher(read(source, what));
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      while (block.find()) {
        if (block.group(1).equals("CERTIFICATE")) {
          certificates.add((X509Certificate) factory.generateCertificate(
              new ByteArrayInputStream(decode(block.group(2), source, what))));
        }
      }
    } catch (CertificateException e) {
      throw new TlsSetupException(what + " " + source.display() + " has a certificate that cannot be read ("
          + e.getMessage() + ")", e);
    }
    if (certificates.isEmpty()) {
      throw problem(source, what, "holds no PEM certificate (a -----BEGIN CERTIFICATE----- block)");
    }
    return certificates;
  }

  public static PrivateKey privateKey(PemSource source, String what) throws TlsSetupException {
    Matcher block = BLOCK.matcher(read(source, what));
    while (block.find()) {
      switch (block.group(1)) {
        case "PRIVATE KEY" :
          return pkcs8(decode(block.group(2), source, what), source, what);
        case "RSA PRIVATE KEY", "ENCRYPTED PRIVATE KEY" :
          // A PKCS#1 key is encrypted when its headers say "Proc-Type: 4,ENCRYPTED".
          if (block.group(0).contains("ENCRYPTED")) {
            throw problem(source, what, "is encrypted; pgvigil takes an unencrypted key "
                + "(protect the file instead); " + TO_PKCS8);
          }
          return pkcs8(pkcs1ToPkcs8(decode(block.group(2), source, what)), source, what);
        case "EC PRIVATE KEY" :
          throw problem(source, what, "holds an EC key in the SEC1 format; " + TO_PKCS8);
        default :
          // certificates beside the key are allowed
      }
    }
    throw problem(source, what, "holds no PEM private key (a -----BEGIN PRIVATE KEY----- block)");
  }

  private static TlsSetupException problem(PemSource source, String what, String text) {
    return new TlsSetupException(what + " " + source.display() + " " + text);
  }

  private static PrivateKey pkcs8(byte[] der, PemSource source, String what) throws TlsSetupException {
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    for (String algorithm : KEY_ALGORITHMS) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (GeneralSecurityException e) {
        // not this algorithm: try the next
      }
    }
    throw problem(source, what, "holds a private key of an unsupported kind (pgvigil reads RSA, EC and EdDSA keys)");
  }

  private static String read(PemSource source, String what) throws TlsSetupException {
    if (source instanceof PemSource.Text text) {
      return text.pem();
    }
    PemSource.File file = (PemSource.File) source;
    try {
      return Files.readString(file.path(), StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new TlsSetupException(what + " file " + file.path() + " does not exist");
    } catch (AccessDeniedException e) {
      throw new TlsSetupException(what + " file " + file.path() + " is not readable by the pgvigil user");
    } catch (IOException e) {
      throw new TlsSetupException(what + " file " + file.path() + " cannot be read (" + e.getClass().getSimpleName()
          + "; PEM is ASCII text)", e);
    }
  }

  private static byte[] decode(String base64, PemSource source, String what) throws TlsSetupException {
    try {
      return Base64.getMimeDecoder().decode(base64.strip());
    } catch (IllegalArgumentException e) {
      throw problem(source, what, "has a PEM block that is not valid base64");
    }
  }

  /** PKCS#1 RSAPrivateKey wrapped as PKCS#8 PrivateKeyInfo (RFC 5208): the JDK reads only the latter. */
  static byte[] pkcs1ToPkcs8(byte[] pkcs1) {
    byte[] version = {0x02, 0x01, 0x00};
    byte[] rsaAlgorithm = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01,
        0x01, 0x01, 0x05, 0x00};
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(version);
    body.writeBytes(rsaAlgorithm);
    body.writeBytes(derHeader(0x04, pkcs1.length));
    body.writeBytes(pkcs1);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(derHeader(0x30, body.size()));
    out.writeBytes(body.toByteArray());
    return out.toByteArray();
  }

  private static byte[] derHeader(int tag, int length) {
    if (length < 0x80) {
      return new byte[] {(byte) tag, (byte) length};
    }
    int bytes = length > 0xffff ? (length > 0xffffff ? 4 : 3) : (length > 0xff ? 2 : 1);
    byte[] header = new byte[2 + bytes];
    header[0] = (byte) tag;
    header[1] = (byte) (0x80 | bytes);
    for (int i = 0; i < bytes; i++) {
      header[2 + i] = (byte) (length >>> (8 * (bytes - 1 - i)));
    }
    return header;
  }
}

package io.pgvigil.daemon.tls;

import java.nio.file.Path;

/**
 * Where a PEM certificate or key comes from: a file (libpq's way), or the PEM text itself, which is
 * what {@code sslrootcert=${file:/ca.pem}} or {@code ${env:PG_CA}} put into a URL.
 */
public sealed interface PemSource {

  /** How messages name it: the path, or "the inline PEM"; never the content. */
  String display();

  /** A file, resolved against the config file's directory. */
  record File(Path path) implements PemSource {
    @Override
    public String display() {
      return path.toString();
    }
  }

  /** The PEM text; {@link #toString()} hides it (it may be a private key). */
  record Text(String pem) implements PemSource {
    @Override
    public String display() {
      return "the inline PEM";
    }

    @Override
    public String toString() {
      return "Text[inline PEM]";
    }
  }

  /** A value of sslrootcert/sslcert/sslkey: PEM text when it starts like PEM, else a file path. */
  static PemSource of(String value) {
    return isPem(value) ? new Text(value) : new File(Path.of(value));
  }

  static boolean isPem(String value) {
    return value.strip().startsWith("-----BEGIN ");
  }
}

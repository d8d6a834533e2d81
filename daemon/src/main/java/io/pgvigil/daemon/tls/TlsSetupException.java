package io.pgvigil.daemon.tls;

/** A certificate or key pgvigil cannot use; the message names the file (never its content) and the fix. */
public final class TlsSetupException extends Exception {
  private static final long serialVersionUID = 1L;

  public TlsSetupException(String message) {
    super(message);
  }

  public TlsSetupException(String message, Throwable cause) {
    super(message, cause);
  }
}

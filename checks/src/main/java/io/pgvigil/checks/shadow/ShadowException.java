package io.pgvigil.checks.shadow;

/**
 * No shadow database could be made: a major that is not bundled, a scratch server of the wrong
 * major, a role that may not create databases. The message says what to change. This is an
 * error state of the drift check, never "no drift".
 */
public class ShadowException extends Exception {

  public ShadowException(String message) {
    super(message);
  }

  public ShadowException(String message, Throwable cause) {
    super(message, cause);
  }
}

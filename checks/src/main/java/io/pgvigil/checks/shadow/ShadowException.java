package io.pgvigil.checks.shadow;

/**
 * No shadow database could be made (a major not bundled, a scratch server of another major, no
 * CREATEDB). The message says what to change; an error state of the drift check, never "no drift".
 */
public class ShadowException extends Exception {

  public ShadowException(String message) {
    super(message);
  }

  public ShadowException(String message, Throwable cause) {
    super(message, cause);
  }
}

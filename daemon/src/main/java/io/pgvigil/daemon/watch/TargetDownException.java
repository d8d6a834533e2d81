package io.pgvigil.daemon.watch;

/** A failed heartbeat, with the one-line reason already worked out (see {@link Failures}). */
final class TargetDownException extends Exception {
  private static final long serialVersionUID = 1L;

  TargetDownException(String reason, Throwable cause) {
    super(reason, cause);
  }
}

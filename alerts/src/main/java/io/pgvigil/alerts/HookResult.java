package io.pgvigil.alerts;

/** The outcome of a hook: ok, or failed with a message fit to log (no secrets). */
public record HookResult(boolean ok, String message) {

  public static HookResult ok(String message) {
    return new HookResult(true, message);
  }

  public static HookResult failed(String message) {
    return new HookResult(false, message);
  }
}

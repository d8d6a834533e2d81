package io.pgvigil.daemon.config;

import java.util.Optional;

/**
 * Where the applied migration history is replayed to learn the expected schema. Embedded needs nothing from the
 * operator; {@code url} points at a scratch server where pgvigil creates and drops its own databases.
 */
public record ShadowConfig(Mode mode, Optional<DatabaseUrl> url) {

  public static final ShadowConfig DEFAULT = new ShadowConfig(Mode.EMBEDDED, Optional.empty());

  public enum Mode {
    EMBEDDED, URL
  }
}

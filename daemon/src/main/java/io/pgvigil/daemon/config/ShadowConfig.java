package io.pgvigil.daemon.config;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the applied migration history is replayed to learn the expected schema. Embedded is
 * the default because it needs nothing from the operator; {@code url} points at a scratch
 * server you provide, where pgvigil creates and drops its own databases (its effective
 * password is already folded into the URL).
 */
public record ShadowConfig(Mode mode, Optional<DatabaseUrl> url) {

    public static final ShadowConfig DEFAULT = new ShadowConfig(Mode.EMBEDDED, Optional.empty());

    public ShadowConfig {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(url, "url");
        if ((mode == Mode.URL) != url.isPresent()) {
            throw new IllegalArgumentException("a url is required exactly when mode is url");
        }
    }

    public enum Mode {
        EMBEDDED("embedded"), URL("url");

        private final String yaml;

        Mode(String yaml) {
            this.yaml = yaml;
        }

        public String yaml() {
            return yaml;
        }

        public static Optional<Mode> fromYaml(String text) {
            return Arrays.stream(values()).filter(m -> m.yaml.equals(text)).findFirst();
        }
    }
}

package io.pgvigil.daemon.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/** How often the live schema is compared with the migrations, and which objects to ignore. */
public record DriftConfig(Duration interval, List<IgnorePattern> ignore) {

    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(5);
    public static final DriftConfig DEFAULT = new DriftConfig(DEFAULT_INTERVAL, List.of());

    public DriftConfig {
        Objects.requireNonNull(interval, "interval");
        ignore = List.copyOf(ignore);
    }

    /** True when some ignore pattern covers this object. */
    public boolean ignores(ObjectKind kind, String qualifiedName) {
        return ignore.stream().anyMatch(p -> p.matches(kind, qualifiedName));
    }

    /** The kinds of schema object drift detection compares, with their YAML spelling. */
    public enum ObjectKind {
        SCHEMA, TABLE, COLUMN, CONSTRAINT, INDEX, SEQUENCE, VIEW, FUNCTION, TRIGGER, TYPE, EXTENSION, POLICY;

        public String yaml() {
            return name().toLowerCase();
        }

        public static Optional<ObjectKind> fromYaml(String text) {
            return Arrays.stream(values()).filter(k -> k.yaml().equals(text)).findFirst();
        }

        public static List<String> spellings() {
            return Arrays.stream(values()).map(ObjectKind::yaml).toList();
        }
    }

    /**
     * {@code kind:glob}, e.g. {@code table:public.tmp_*}. In the glob {@code *} matches any run
     * of characters and {@code ?} one character; everything else, the '.' included, is literal.
     */
    public record IgnorePattern(ObjectKind kind, String glob) {

        public IgnorePattern {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(glob, "glob");
        }

        public boolean matches(ObjectKind objectKind, String qualifiedName) {
            return kind == objectKind && regex().matcher(qualifiedName).matches();
        }

        private Pattern regex() {
            StringBuilder regex = new StringBuilder();
            for (char c : glob.toCharArray()) {
                switch (c) {
                    case '*' -> regex.append(".*");
                    case '?' -> regex.append('.');
                    default -> regex.append(Pattern.quote(String.valueOf(c)));
                }
            }
            return Pattern.compile(regex.toString());
        }

        @Override
        public String toString() {
            return kind.yaml() + ":" + glob;
        }
    }
}

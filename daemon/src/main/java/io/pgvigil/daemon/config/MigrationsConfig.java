package io.pgvigil.daemon.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/** Where a target's migrations live, so pgvigil can tell which migration is running. */
public sealed interface MigrationsConfig {

    /** The YAML spelling of the tool, as in {@code tool: flyway}. */
    String tool();

    /**
     * Flyway; locations are absolute filesystem paths (resolved against the config file).
     * {@code mixed} is Flyway's setting of that name at deploy: whether it accepts a migration
     * that mixes statements that can run in a transaction with ones that cannot.
     */
    record Flyway(List<Path> locations, String table, List<String> schemas, boolean mixed)
            implements MigrationsConfig {
        public static final String DEFAULT_LOCATION = "db/migration";
        public static final String DEFAULT_TABLE = "flyway_schema_history";
        public static final List<String> DEFAULT_SCHEMAS = List.of("public");

        public Flyway {
            locations = List.copyOf(locations);
            Objects.requireNonNull(table, "table");
            schemas = List.copyOf(schemas);
        }

        /** With Flyway's default, {@code mixed: false}. */
        public Flyway(List<Path> locations, String table, List<String> schemas) {
            this(locations, table, schemas, false);
        }

        @Override
        public String tool() {
            return "flyway";
        }
    }

    /** Prisma Migrate; the directory is an absolute path (resolved against the config file). */
    record Prisma(Path directory) implements MigrationsConfig {
        public static final String DEFAULT_DIRECTORY = "prisma/migrations";

        public Prisma {
            Objects.requireNonNull(directory, "directory");
        }

        @Override
        public String tool() {
            return "prisma";
        }
    }
}

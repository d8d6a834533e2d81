package io.pgvigil.daemon.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The demo's history drift: what happens in real repositories. Someone edits a
 * migration that production already ran (its checksum no longer matches the
 * history), and a new migration waits to be deployed.
 */
final class HistoryDriftScenario {

  static final String EDITED = "V2__create_products.sql";
  static final String ADDED = "V12__add_products_description.sql";

  private HistoryDriftScenario() {}

  static void stage(Path migrations) throws IOException {
    Files.writeString(migrations.resolve(EDITED), """

        -- Added after this migration had run in production: it will never run there.
        CREATE INDEX products_active_idx ON products (active);
        """, StandardOpenOption.APPEND);
    Files.writeString(migrations.resolve(ADDED), """
        ALTER TABLE products ADD COLUMN description text;
        """);
  }
}

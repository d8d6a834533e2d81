package io.pgvigil.daemon.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/** The official SARIF 2.1.0 JSON schema (test resource sarif/, where it comes from is said there). */
public final class SarifSchema {

  private SarifSchema() {}

  /** What the schema finds wrong with {@code log}: empty when it is valid SARIF 2.1.0. */
  public static List<String> errors(JsonNode log) {
    try (InputStream in = SarifSchema.class.getResourceAsStream("/sarif/sarif-schema-2.1.0.json")) {
      Schema schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4).getSchema(in);
      return schema.validate(log).stream().map(Error::toString).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

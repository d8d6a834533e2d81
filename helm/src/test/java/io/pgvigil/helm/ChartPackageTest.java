package io.pgvigil.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/** The chart as `helm package` makes it for the OCI registry (helm/README.md, "Releasing the chart"). */
class ChartPackageTest {

  @Test
  void packagesTheChartWithItsMetadataRulesAndDashboardButNotItsTests() throws IOException {
    Path destination = Path.of("target", "chart-package");
    Files.createDirectories(destination);

    new Helm(RenderedChart.CHART).packageIt().withDestination(destination).call();

    // The versions as Chart.yaml has them now: a release bumps them there, not here.
    JsonNode source = new YAMLMapper().readTree(RenderedChart.CHART.resolve("Chart.yaml").toFile());
    String version = source.path("version").asText();
    assertThat(version).isNotBlank();
    Path tgz = destination.resolve("pgvigil-" + version + ".tgz");
    Map<String, String> files = untar(tgz);
    JsonNode chart = new YAMLMapper().readTree(files.get("pgvigil/Chart.yaml"));
    assertThat(chart.path("name").asText()).isEqualTo("pgvigil");
    assertThat(chart.path("version").asText()).isEqualTo(version);
    assertThat(chart.path("appVersion").asText()).isEqualTo(source.path("appVersion").asText()).isNotBlank();
    assertThat(chart.path("home").asText()).startsWith("https://");
    assertThat(chart.path("sources")).isNotEmpty();
    assertThat(chart.path("icon").asText()).startsWith("https://").endsWith(".svg");
    assertThat(chart.at("/maintainers/0/name").asText()).isNotBlank();
    // The icon is the one in this repository, where the URL points.
    assertThat(Path.of("icon.svg")).exists();
    assertThat(chart.path("icon").asText()).endsWith("/helm/icon.svg");

    assertThat(files).containsKeys("pgvigil/values.yaml", "pgvigil/values.schema.json",
        "pgvigil/rules/pgvigil-rules.yaml", "pgvigil/dashboards/pgvigil.json", "pgvigil/templates/podmonitor.yaml");
    assertThat(files.keySet()).noneMatch(name -> name.endsWith(".test.yaml"));
    assertThat(new Helm(tgz).show().chart().call()).contains("name: pgvigil");
  }

  /** Every regular file of a .tgz by name (ustar, as Helm writes it). */
  private static Map<String, String> untar(Path tgz) throws IOException {
    Map<String, String> files = new LinkedHashMap<>();
    try (InputStream in = new GZIPInputStream(Files.newInputStream(tgz))) {
      byte[] header = new byte[512];
      while (in.readNBytes(header, 0, 512) == 512 && header[0] != 0) {
        String name = field(header, 0, 100);
        String prefix = field(header, 345, 155);
        long size = Long.parseLong(field(header, 124, 12).trim(), 8);
        byte[] body = in.readNBytes((int) size);
        in.skipNBytes((512 - size % 512) % 512);
        if (header[156] == '0' || header[156] == 0) {
          files.put(prefix.isEmpty() ? name : prefix + "/" + name, new String(body, StandardCharsets.UTF_8));
        }
      }
    }
    return files;
  }

  private static String field(byte[] header, int offset, int length) {
    int end = offset;
    while (end < offset + length && header[end] != 0) {
      end++;
    }
    return new String(header, offset, end - offset, StandardCharsets.US_ASCII);
  }
}

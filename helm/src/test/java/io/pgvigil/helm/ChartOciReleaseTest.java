package io.pgvigil.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The release of helm/README.md ("Releasing the chart") run against a real OCI registry on loopback: Helm's own
 * {@code helm push}, the artifact as the registry stores it, and Helm pulling it back to show and render it.
 */
class ChartOciReleaseTest {

  private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void pushedChartIsAHelmOciArtifactThatPullsBackAndRenders() throws Exception {
    try (OciRegistry registry = OciRegistry.start(Path.of("target", "oci-registry"))) {
      JsonNode source = new YAMLMapper().readTree(RenderedChart.CHART.resolve("Chart.yaml").toFile());
      String version = source.path("version").asText();
      String appVersion = source.path("appVersion").asText();
      Path destination = Files.createDirectories(Path.of("target", "chart-oci"));
      new Helm(RenderedChart.CHART).packageIt().withDestination(destination).call();
      Path tgz = destination.resolve("pgvigil-" + version + ".tgz");
      String tgzDigest = sha256(tgz);
      // Where Helm keeps what it pulls for show, template and install: HELM_CACHE_HOME, set by Surefire (pom.xml).
      Path pulled = Path.of(System.getenv("HELM_CACHE_HOME"), "repository", tgz.getFileName().toString());
      Files.deleteIfExists(pulled);

      // Plain HTTP only because this registry is on loopback without TLS; a real one is pushed to over TLS.
      String pushed = Helm.push().withChart(tgz).withRemote(URI.create("oci://" + registry.host() + "/charts"))
          .plainHttp().call();
      assertThat(pushed).contains("Pushed: " + registry.host() + "/charts/pgvigil:" + version);

      HttpResponse<byte[]> response =
          registry.get("/v2/charts/pgvigil/manifests/" + version, Map.of("Accept", OCI_MANIFEST));
      assertThat(response.statusCode()).as("GET the manifest of pgvigil:%s", version).isEqualTo(200);
      assertThat(response.headers().firstValue("Content-Type")).hasValue(OCI_MANIFEST);
      String manifestDigest = response.headers().firstValue("Docker-Content-Digest").orElseThrow();
      assertThat(pushed).contains("Digest: " + manifestDigest);
      JsonNode manifest = JSON.readTree(response.body());
      assertThat(manifest.at("/config/mediaType").asText()).isEqualTo("application/vnd.cncf.helm.config.v1+json");
      assertThat(manifest.path("layers")).hasSize(1);
      assertThat(manifest.at("/layers/0/mediaType").asText())
          .isEqualTo("application/vnd.cncf.helm.chart.content.v1.tar+gzip");
      assertThat(manifest.at("/layers/0/digest").asText()).isEqualTo(tgzDigest);
      assertThat(manifest.at("/layers/0/size").asLong()).isEqualTo(Files.size(tgz));

      // The config blob is the chart's metadata: what a registry's UI or Artifact Hub shows without the archive.
      HttpResponse<byte[]> config =
          registry.get("/v2/charts/pgvigil/blobs/" + manifest.at("/config/digest").asText(), Map.of());
      assertThat(config.statusCode()).isEqualTo(200);
      assertMetadata(JSON.readTree(config.body()), version, appVersion);

      // Pulled back by Helm from the oci:// reference, as `helm show` and `helm upgrade --install` do.
      String ref = "oci://" + registry.host() + "/charts/pgvigil";
      String shown = Helm.show(ref).chart().withVersion(version).plainHttp().call();
      assertMetadata(new YAMLMapper().readTree(shown), version, appVersion);
      assertThat(pulled).as("the archive Helm pulled").exists();
      assertThat(sha256(pulled)).as("digest of the archive Helm pulled").isEqualTo(tgzDigest);

      KubernetesApi.ensureRunning();
      RenderedChart rendered = RenderedChart.parse(Helm.template(ref).withVersion(version)
          .withName(RenderedChart.RELEASE).withNamespace("db-tools").plainHttp().call());
      assertThat(rendered.container("pgvigil").path("image").asText()).isEqualTo("pgvigil/pgvigil:" + appVersion);
      assertThat(rendered.named("Service", RenderedChart.FULLNAME).isMissingNode()).isFalse();
    }
  }

  private static String sha256(Path file) throws Exception {
    return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }

  private static void assertMetadata(JsonNode chart, String version, String appVersion) {
    assertThat(chart.path("name").asText()).isEqualTo("pgvigil");
    assertThat(chart.path("version").asText()).isEqualTo(version);
    assertThat(chart.path("appVersion").asText()).isEqualTo(appVersion);
  }
}

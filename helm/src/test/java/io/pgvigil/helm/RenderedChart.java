package io.pgvigil.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/** The chart rendered by Helm itself ({@code helm template}), as one JSON tree per object. */
record RenderedChart(List<JsonNode> objects) {

  /** The chart, relative to this module's directory (where Surefire runs the tests). */
  static final Path CHART = Path.of("pgvigil");
  static final String RELEASE = "vigil";
  static final String FULLNAME = "vigil-pgvigil";

  private static final ObjectMapper YAML = new YAMLMapper();

  static RenderedChart render(Path valuesFile) {
    return render(valuesFile, Map.of());
  }

  static RenderedChart render(Path valuesFile, Map<String, Object> sets) {
    return render(command -> {
      TemplateCommand c = command.withValuesFile(valuesFile);
      sets.forEach(c::set);
      return c;
    });
  }

  static RenderedChart render(UnaryOperator<TemplateCommand> options) {
    KubernetesApi.ensureRunning();
    String manifest =
        options.apply(new Helm(CHART).template().withName(RELEASE).withNamespace("db-tools")).call();
    return parse(manifest);
  }

  static Path ciValues(String name) {
    return CHART.resolve("ci").resolve(name + "-values.yaml");
  }

  static RenderedChart parse(String manifest) {
    List<JsonNode> objects = new ArrayList<>();
    try (var parser = new YAMLFactory().createParser(manifest)) {
      var it = YAML.readValues(parser, JsonNode.class);
      while (it.hasNext()) {
        JsonNode node = it.next();
        if (node != null && !node.isNull() && !node.isMissingNode() && node.size() > 0) {
          objects.add(node);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("rendered chart is not YAML:\n" + manifest, e);
    }
    return new RenderedChart(List.copyOf(objects));
  }

  List<JsonNode> all(String kind) {
    return objects.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
  }

  boolean has(String kind) {
    return !all(kind).isEmpty();
  }

  JsonNode one(String kind) {
    List<JsonNode> found = all(kind);
    assertThat(found).as("rendered %s objects", kind).hasSize(1);
    return found.get(0);
  }

  /** The object of that kind and name; missing when there is none. */
  JsonNode named(String kind, String name) {
    return all(kind).stream()
        .filter(o -> name.equals(o.at("/metadata/name").asText()))
        .findFirst()
        .orElse(MissingNode.getInstance());
  }

  JsonNode podSpec() {
    return one("Deployment").at("/spec/template/spec");
  }

  JsonNode container(String name) {
    for (JsonNode c : podSpec().path("containers")) {
      if (name.equals(c.path("name").asText())) {
        return c;
      }
    }
    return MissingNode.getInstance();
  }

  JsonNode volume(String name) {
    for (JsonNode v : podSpec().path("volumes")) {
      if (name.equals(v.path("name").asText())) {
        return v;
      }
    }
    return MissingNode.getInstance();
  }

  /** The value of a container's env variable, or the variable's whole node when it comes from a ref. */
  static JsonNode env(JsonNode container, String name) {
    for (JsonNode e : container.path("env")) {
      if (name.equals(e.path("name").asText())) {
        return e;
      }
    }
    return MissingNode.getInstance();
  }

  /** pgvigil.yaml as the daemon will read it. */
  JsonNode config() {
    try {
      JsonNode configMap =
          all("ConfigMap").stream().filter(c -> c.path("data").has("pgvigil.yaml")).findFirst().orElseThrow();
      return YAML.readTree(configMap.path("data").path("pgvigil.yaml").asText());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

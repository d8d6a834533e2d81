package io.pgvigil.helm;

import static io.pgvigil.helm.RenderedChart.ciValues;
import static io.pgvigil.helm.RenderedChart.env;
import static io.pgvigil.helm.RenderedChart.render;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ChartTest {

  private static final String CLUSTER_SECRET = RenderedChart.FULLNAME + "-cluster";

  static Stream<String> ciValuesFiles() throws IOException {
    try (Stream<Path> files = Files.list(RenderedChart.CHART.resolve("ci"))) {
      List<String> names = new ArrayList<>();
      files.map(f -> f.getFileName().toString())
          .filter(f -> f.endsWith("-values.yaml"))
          .sorted()
          .forEach(f -> names.add(f.substring(0, f.length() - "-values.yaml".length())));
      return names.stream();
    }
  }

  @Test
  void lintsClean() {
    LintResult lint = new Helm(RenderedChart.CHART).lint().strict().call();
    assertThat(lint.isFailed()).as("helm lint: %s", lint.getMessages()).isFalse();
  }

  @Test
  void hasOneCiValuesFilePerOption() throws IOException {
    assertThat(ciValuesFiles())
        .contains("default", "existing-secret", "chart-secret", "servicemonitor", "prometheusrule",
            "networkpolicy", "pdb", "shadow-sidecar", "dashboards-disabled", "single-replica", "ha", "podmonitor",
            "git-sync", "migrations-from-image", "json-logs");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ciValuesFiles")
  void everyCiValuesFileRendersAHardenedPod(String name) throws IOException {
    RenderedChart chart = render(ciValues(name));

    JsonNode pod = chart.podSpec();
    assertThat(pod.path("automountServiceAccountToken").asBoolean(true)).isFalse();
    assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
    assertThat(pod.at("/securityContext/runAsUser").asInt()).isEqualTo(10001);
    assertThat(pod.at("/securityContext/seccompProfile/type").asText()).isEqualTo("RuntimeDefault");

    List<JsonNode> containers = new ArrayList<>();
    pod.path("initContainers").forEach(containers::add);
    pod.path("containers").forEach(containers::add);
    for (JsonNode container : containers) {
      JsonNode sc = container.path("securityContext");
      assertThat(sc.path("runAsNonRoot").asBoolean()).as(container.path("name").asText()).isTrue();
      assertThat(sc.path("readOnlyRootFilesystem").asBoolean()).isTrue();
      assertThat(sc.path("allowPrivilegeEscalation").asBoolean(true)).isFalse();
      assertThat(texts(sc.at("/capabilities/drop"))).containsExactly("ALL");
    }

    JsonNode pgvigil = chart.container("pgvigil");
    assertThat(texts(pgvigil.path("command"))).containsExactly("java", "-jar", "/app/pgvigil.jar");
    assertThat(texts(pgvigil.path("args"))).containsExactly("run", "--config", "/etc/pgvigil/pgvigil.yaml");
    assertThat(pgvigil.at("/securityContext/runAsUser").asInt()).isEqualTo(10001);
    assertThat(env(pgvigil, "PGVIGIL_DATA_DIR").path("value").asText()).isEqualTo("/var/lib/pgvigil");
    // The variable replaces the image's JAVA_TOOL_OPTIONS: the image's measured flags are repeated.
    java.util.regex.Matcher imageFlags = java.util.regex.Pattern.compile("ENV JAVA_TOOL_OPTIONS=\"([^\"]+)\"")
        .matcher(Files.readString(Path.of("Dockerfile")));
    assertThat(imageFlags.find()).as("helm/Dockerfile sets JAVA_TOOL_OPTIONS").isTrue();
    assertThat(env(pgvigil, "JAVA_TOOL_OPTIONS").path("value").asText())
        .isEqualTo("-Djava.io.tmpdir=/tmp " + imageFlags.group(1))
        .contains("-XX:MaxRAMPercentage=25", "-XX:+ExitOnOutOfMemoryError");
    assertThat(mountPaths(pgvigil)).containsEntry("data", "/var/lib/pgvigil").containsEntry("tmp", "/tmp");
    assertThat(chart.volume("data").has("emptyDir")).isTrue();
    assertThat(chart.volume("tmp").has("emptyDir")).isTrue();

    assertThat(pgvigil.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/healthz");
    assertThat(pgvigil.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/readyz");
    assertThat(pgvigil.at("/livenessProbe/httpGet/port").asText()).isEqualTo("http");
    assertThat(pgvigil.at("/ports/0/name").asText()).isEqualTo("http");
    assertThat(pgvigil.at("/ports/0/containerPort").asInt()).isEqualTo(8080);
    assertThat(pgvigil.at("/resources/requests/memory").asText()).isNotEmpty();
    assertThat(pgvigil.at("/resources/limits/memory").asText()).isNotEmpty();

    JsonNode service = chart.named("Service", RenderedChart.FULLNAME);
    assertThat(service.at("/spec/ports/0/name").asText()).isEqualTo("http");
    assertThat(service.at("/spec/ports/0/port").asInt()).isEqualTo(8080);
    // The status page's 1 s reads stay on one pod: the owner's live views do not alternate with "owned by".
    assertThat(service.at("/spec/sessionAffinity").asText()).isEqualTo("ClientIP");
    assertThat(service.at("/spec/selector")).isEqualTo(chart.one("Deployment").at("/spec/selector/matchLabels"));

    assertThat(chart.config().at("/server/listen").asText()).isEqualTo("0.0.0.0:8080");
    for (JsonNode object : chart.objects()) {
      JsonNode labels = object.at("/metadata/labels");
      assertThat(labels.path("app.kubernetes.io/name").asText()).as(object.path("kind").asText()).isEqualTo("pgvigil");
      assertThat(labels.path("app.kubernetes.io/instance").asText()).isEqualTo(RenderedChart.RELEASE);
      assertThat(labels.path("app.kubernetes.io/managed-by").asText()).isEqualTo("Helm");
      assertThat(labels.path("app.kubernetes.io/version").asText()).isNotEmpty();
    }
  }

  static Stream<Arguments> optionalObjects() {
    return Stream.of(
        Arguments.of("servicemonitor", "ServiceMonitor"),
        Arguments.of("podmonitor", "PodMonitor"),
        Arguments.of("prometheusrule", "PrometheusRule"),
        Arguments.of("networkpolicy", "NetworkPolicy"),
        Arguments.of("chart-secret", "Secret"));
  }

  @ParameterizedTest(name = "{1} only with {0}")
  @MethodSource("optionalObjects")
  void rendersAnOptionalObjectOnlyWhenEnabled(String option, String kind) throws IOException {
    assertThat(optional(render(ciValues(option)), kind)).hasSize(1);
    for (String other : ciValuesFiles().filter(f -> !f.equals(option)).toList()) {
      assertThat(optional(render(ciValues(other)), kind)).as("%s with %s", kind, other).isEmpty();
    }
  }

  /** The objects of that kind but the cluster's Secret, which comes with the cluster, not with an option. */
  private static List<JsonNode> optional(RenderedChart chart, String kind) {
    return chart.all(kind).stream()
        .filter(o -> !(kind.equals("Secret") && CLUSTER_SECRET.equals(o.at("/metadata/name").asText()))).toList();
  }

  @Test
  void runsTwoClusteredReplicasThatRollWithoutAGapByDefault() {
    RenderedChart chart = render(ciValues("default"));

    JsonNode deployment = chart.one("Deployment").path("spec");
    assertThat(deployment.path("replicas").asInt()).isEqualTo(2);
    assertThat(deployment.at("/strategy/type").asText()).isEqualTo("RollingUpdate");
    assertThat(deployment.at("/strategy/rollingUpdate/maxUnavailable").asInt()).isZero();
    assertThat(deployment.at("/strategy/rollingUpdate/maxSurge").asInt()).isEqualTo(1);

    JsonNode headless = chart.named("Service", RenderedChart.FULLNAME + "-cluster").path("spec");
    assertThat(headless.path("clusterIP").asText()).isEqualTo("None");
    assertThat(headless.path("publishNotReadyAddresses").asBoolean()).isTrue();
    assertThat(ports(headless, "port")).containsEntry("hazelcast", 5701).containsEntry("eventbus", 5711);
    assertThat(headless.path("selector")).isEqualTo(deployment.at("/selector/matchLabels"));

    JsonNode pgvigil = chart.container("pgvigil");
    assertThat(env(pgvigil, "POD_NAME").at("/valueFrom/fieldRef/fieldPath").asText()).isEqualTo("metadata.name");
    assertThat(env(pgvigil, "POD_IP").at("/valueFrom/fieldRef/fieldPath").asText()).isEqualTo("status.podIP");
    assertThat(ports(pgvigil, "containerPort"))
        .containsEntry("http", 8080).containsEntry("hazelcast", 5701).containsEntry("eventbus", 5711);

    JsonNode server = chart.config().path("server");
    assertThat(server.path("instance").asText()).isEqualTo("${env:POD_NAME}");
    JsonNode cluster = server.path("cluster");
    assertThat(cluster.path("enabled").asBoolean()).isTrue();
    assertThat(cluster.path("name").asText()).isEqualTo(RenderedChart.FULLNAME);
    assertThat(cluster.path("host").asText()).isEqualTo("${env:POD_IP}");
    assertThat(cluster.path("port").asInt()).isEqualTo(5701);
    assertThat(cluster.path("eventBusPort").asInt()).isEqualTo(5711);
    assertThat(cluster.at("/kubernetes/serviceDns").asText())
        .isEqualTo(RenderedChart.FULLNAME + "-cluster.db-tools.svc.cluster.local");

    JsonNode preferred =
        chart.podSpec().at("/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution");
    assertThat(preferred).hasSize(1);
    assertThat(preferred.at("/0/podAffinityTerm/topologyKey").asText()).isEqualTo("kubernetes.io/hostname");
    assertThat(preferred.at("/0/podAffinityTerm/labelSelector/matchLabels"))
        .isEqualTo(deployment.at("/selector/matchLabels"));
    assertThat(chart.podSpec().at("/affinity/podAntiAffinity").has("requiredDuringSchedulingIgnoredDuringExecution"))
        .as("a single node still runs every replica").isFalse();

    JsonNode pdb = chart.one("PodDisruptionBudget").path("spec");
    assertThat(pdb.path("minAvailable").asInt()).isEqualTo(1);
    assertThat(pdb.at("/selector/matchLabels")).isEqualTo(deployment.at("/selector/matchLabels"));
  }

  @Test
  void recreateCanStillBeChosen() {
    JsonNode strategy = render(ciValues("single-replica"), Map.of("strategy.type", "Recreate"))
        .one("Deployment").at("/spec/strategy");

    assertThat(strategy.path("type").asText()).isEqualTo("Recreate");
    assertThat(strategy.has("rollingUpdate")).as("the API refuses it beside Recreate").isFalse();
  }

  @Test
  void aSingleReplicaRendersNoClusterNoDisruptionBudgetAndNoAntiAffinity() {
    RenderedChart chart = render(ciValues("single-replica"));

    assertThat(chart.one("Deployment").at("/spec/replicas").asInt()).isEqualTo(1);
    assertThat(chart.all("Service")).hasSize(1);
    assertThat(chart.has("PodDisruptionBudget")).isFalse();
    assertThat(chart.podSpec().has("affinity")).isFalse();
    JsonNode pgvigil = chart.container("pgvigil");
    assertThat(env(pgvigil, "POD_IP").isMissingNode()).isTrue();
    assertThat(ports(pgvigil, "containerPort")).containsOnlyKeys("http");
    assertThat(chart.config().path("server").has("cluster")).isFalse();
    assertThat(chart.config().path("server").has("instance")).isFalse();
  }

  @Test
  void anExplicitSettingOverridesTheReplicaCountForClusterAndDisruptionBudget() {
    RenderedChart single = render(ciValues("single-replica"),
        Map.of("podDisruptionBudget.enabled", true, "cluster.enabled", true));
    assertThat(single.one("PodDisruptionBudget").at("/spec/minAvailable").asInt()).isEqualTo(1);
    assertThat(single.named("Service", RenderedChart.FULLNAME + "-cluster").isMissingNode()).isFalse();
    assertThat(single.config().at("/server/cluster/enabled").asBoolean()).isTrue();

    RenderedChart unclustered = render(ciValues("default"),
        Map.of("podDisruptionBudget.enabled", false, "cluster.enabled", false));
    assertThat(unclustered.one("Deployment").at("/spec/replicas").asInt()).isEqualTo(2);
    assertThat(unclustered.has("PodDisruptionBudget")).isFalse();
    assertThat(unclustered.all("Service")).hasSize(1);
    assertThat(unclustered.config().path("server").has("cluster")).isFalse();
    assertThat(unclustered.podSpec().at("/affinity/podAntiAffinity").isMissingNode())
        .as("the replicas still spread").isFalse();
  }

  @Test
  void theUsersClusterSettingsWinAndMoveThePorts() {
    RenderedChart chart = render(ciValues("ha"));

    JsonNode cluster = chart.config().at("/server/cluster");
    assertThat(cluster.path("name").asText()).isEqualTo("vigil-prod");
    assertThat(cluster.path("port").asInt()).isEqualTo(5801);
    assertThat(cluster.path("host").asText()).isEqualTo("${env:POD_IP}");
    assertThat(cluster.at("/kubernetes/serviceDns").asText())
        .isEqualTo(RenderedChart.FULLNAME + "-cluster.db-tools.svc.k8s.example.internal");
    assertThat(ports(chart.container("pgvigil"), "containerPort")).containsEntry("hazelcast", 5801);
    assertThat(ports(chart.named("Service", RenderedChart.FULLNAME + "-cluster").path("spec"), "port"))
        .containsEntry("hazelcast", 5801);

    RenderedChart off = render(ciValues("ha"),
        Map.of("config.server.cluster.enabled", false, "config.server.instance", "vigil-a"));
    assertThat(off.config().at("/server/cluster/enabled").asBoolean(true)).as("a user's false is kept").isFalse();
    assertThat(off.config().at("/server/instance").asText()).isEqualTo("vigil-a");
  }

  @Test
  void theUsersAffinityReplacesTheDefaultAntiAffinity() {
    RenderedChart chart = render(ciValues("default"),
        Map.of("affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]"
            + ".matchExpressions[0].key", "pool",
            "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]"
                + ".matchExpressions[0].operator",
            "Exists"));

    JsonNode affinity = chart.podSpec().path("affinity");
    assertThat(affinity.has("nodeAffinity")).isTrue();
    assertThat(affinity.has("podAntiAffinity")).isFalse();
  }

  @Test
  void theDisruptionBudgetTakesMaxUnavailableOverMinAvailable() {
    JsonNode pdb = render(ciValues("pdb")).one("PodDisruptionBudget").path("spec");

    assertThat(pdb.path("maxUnavailable").asInt()).isEqualTo(1);
    assertThat(pdb.has("minAvailable")).isFalse();
  }

  @Test
  void mountsAnExistingSecretAsFilesAndMapsEnvByKeyRef() {
    RenderedChart chart = render(ciValues("existing-secret"));

    assertThat(optional(chart, "Secret")).isEmpty();
    assertThat(chart.volume("secrets").at("/secret/secretName").asText()).isEqualTo("pgvigil-credentials");
    JsonNode pgvigil = chart.container("pgvigil");
    assertThat(mountPaths(pgvigil)).containsEntry("secrets", "/etc/pgvigil/secrets");
    JsonNode token = env(pgvigil, "PGVIGIL_API_TOKEN");
    assertThat(token.has("value")).as("a secret never appears as a plain env value").isFalse();
    assertThat(token.at("/valueFrom/secretKeyRef/name").asText()).isEqualTo("pgvigil-credentials");
    assertThat(token.at("/valueFrom/secretKeyRef/key").asText()).isEqualTo("api-token");
    assertThat(chart.config().at("/server/apiToken").asText()).isEqualTo("${env:PGVIGIL_API_TOKEN}");
    assertThat(chart.config().at("/targets/0/password").asText())
        .isEqualTo("${file:/etc/pgvigil/secrets/pg-password}");
    assertThat(chart.one("Deployment").at("/spec/template/metadata/annotations").has("checksum/secret")).isFalse();
  }

  @Test
  void makesItsOwnSecretAndWiresItTheSameWay() {
    RenderedChart chart = render(ciValues("chart-secret"));

    JsonNode secret = chart.named("Secret", RenderedChart.FULLNAME);
    String name = secret.at("/metadata/name").asText();
    assertThat(new String(Base64.getDecoder().decode(secret.at("/data/pg-password").asText())))
        .isEqualTo("s3cret-pg");
    assertThat(chart.volume("secrets").at("/secret/secretName").asText()).isEqualTo(name);
    JsonNode webhook = env(chart.container("pgvigil"), "SLACK_WEBHOOK_URL");
    assertThat(webhook.at("/valueFrom/secretKeyRef/name").asText()).isEqualTo(name);
    assertThat(webhook.at("/valueFrom/secretKeyRef/key").asText()).isEqualTo("slack-webhook-url");
    assertThat(chart.one("Deployment").at("/spec/template/metadata/annotations/checksum~1secret").asText())
        .hasSize(64);
    assertThat(chart.all("ConfigMap").toString())
        .as("no secret value in any ConfigMap")
        .doesNotContain("s3cret-pg")
        .doesNotContain("hooks.slack.example");
  }

  @Test
  void makesARandomClusterSecretAndSignsTheSharedRecordsWithIt() {
    RenderedChart chart = render(ciValues("default"));

    JsonNode secret = chart.named("Secret", CLUSTER_SECRET);
    String value = new String(Base64.getDecoder().decode(secret.at("/data/secret").asText()));
    assertThat(value).matches("[A-Za-z0-9]{32}");
    JsonNode env = env(chart.container("pgvigil"), "PGVIGIL_CLUSTER_SECRET");
    assertThat(env.has("value")).as("a secret never appears as a plain env value").isFalse();
    assertThat(env.at("/valueFrom/secretKeyRef/name").asText()).isEqualTo(CLUSTER_SECRET);
    assertThat(env.at("/valueFrom/secretKeyRef/key").asText()).isEqualTo("secret");
    assertThat(chart.config().at("/server/cluster/secret").asText()).isEqualTo("${env:PGVIGIL_CLUSTER_SECRET}");
    assertThat(chart.all("ConfigMap").toString()).doesNotContain(value);
    // No Secret in the cluster yet: each render draws a new value.
    assertThat(render(ciValues("default")).named("Secret", CLUSTER_SECRET).at("/data/secret").asText())
        .isNotEqualTo(secret.at("/data/secret").asText());

    RenderedChart single = render(ciValues("single-replica"));
    assertThat(single.named("Secret", CLUSTER_SECRET).isMissingNode()).isTrue();
    assertThat(env(single.container("pgvigil"), "PGVIGIL_CLUSTER_SECRET").isMissingNode()).isTrue();
  }

  @Test
  void anUpgradeKeepsTheClusterSecretSoOldAndNewPodsTrustEachOther() {
    KubernetesApi.secret("db-tools", CLUSTER_SECRET, "made-by-the-first-install-0123456");
    try {
      JsonNode secret = render(ciValues("default")).named("Secret", CLUSTER_SECRET);
      assertThat(new String(Base64.getDecoder().decode(secret.at("/data/secret").asText())))
          .isEqualTo("made-by-the-first-install-0123456");
    } finally {
      KubernetesApi.forget("db-tools", CLUSTER_SECRET);
    }
  }

  @Test
  void takesTheClusterSecretFromASecretTheUserManages() {
    RenderedChart chart = render(ciValues("ha"), Map.of("cluster.existingSecret", "pgvigil-cluster-key"));

    assertThat(chart.named("Secret", CLUSTER_SECRET).isMissingNode()).isTrue();
    assertThat(env(chart.container("pgvigil"), "PGVIGIL_CLUSTER_SECRET").at("/valueFrom/secretKeyRef/name").asText())
        .isEqualTo("pgvigil-cluster-key");
    assertThat(chart.config().at("/server/cluster/secret").asText()).isEqualTo("${env:PGVIGIL_CLUSTER_SECRET}");

    RenderedChart own = render(ciValues("ha"),
        Map.of("config.server.cluster.secret", "${file:/etc/pgvigil/secrets/cluster-secret}"));
    assertThat(own.config().at("/server/cluster/secret").asText())
        .as("a user's server.cluster.secret wins").isEqualTo("${file:/etc/pgvigil/secrets/cluster-secret}");
  }

  @Test
  void failsWhenBothAnExistingSecretAndChartSecretValuesAreGiven() {
    assertThatThrownBy(() -> render(ciValues("chart-secret"), Map.of("secrets.existingSecret", "mine")))
        .hasMessageContaining("set either secrets.existingSecret or secrets.values, not both");
  }

  @Test
  void mountsNoSecretWhenNoneIsConfigured() {
    RenderedChart chart = render(ciValues("default"));

    assertThat(chart.volume("secrets").isMissingNode()).isTrue();
    assertThat(mountPaths(chart.container("pgvigil"))).doesNotContainKey("secrets");
  }

  @Test
  void changesTheConfigChecksumWithTheConfigOnly() {
    String base = configChecksum(render(ciValues("default")));

    assertThat(configChecksum(render(ciValues("default"), Map.of("config.rules.lockWait.warn", "3s"))))
        .isNotEqualTo(base);
    assertThat(configChecksum(render(ciValues("default"), Map.of("service.annotations.team", "db"))))
        .isEqualTo(base);
    assertThat(configChecksum(render(ciValues("default")))).isEqualTo(base);
  }

  @Test
  void runsAShadowSidecarOnLoopbackWithTheLiveMajor() {
    RenderedChart chart = render(ciValues("shadow-sidecar"));

    JsonNode shadow = chart.container("shadow-postgres");
    assertThat(shadow.path("image").asText()).isEqualTo("postgres:16");
    assertThat(texts(shadow.path("args"))).contains("listen_addresses=127.0.0.1");
    assertThat(shadow.has("ports")).as("nothing outside the pod reaches it").isFalse();
    assertThat(mountPaths(shadow)).containsEntry("shadow-data", "/var/lib/postgresql/data");
    assertThat(chart.volume("shadow-data").has("emptyDir")).isTrue();
    assertThat(env(shadow, "PGDATA").path("value").asText()).startsWith("/var/lib/postgresql/data/");
    assertThat(chart.config().at("/targets/0/shadow/url").asText())
        .isEqualTo("postgresql://postgres@127.0.0.1:5432/postgres");

    assertThat(render(ciValues("default")).container("shadow-postgres").isMissingNode()).isTrue();
  }

  @Test
  void theNetworkPolicyOpensOnlyTheHttpPortToTheGivenPeers() {
    JsonNode policy = render(ciValues("networkpolicy")).one("NetworkPolicy").path("spec");

    assertThat(policy.at("/ingress/0/ports/0/port").asText()).isEqualTo("http");
    assertThat(policy.at("/ingress/0/from/0/namespaceSelector/matchLabels/kubernetes.io~1metadata.name").asText())
        .isEqualTo("monitoring");
    assertThat(texts(policy.path("policyTypes"))).containsExactly("Ingress", "Egress");
    assertThat(policy.at("/egress/0/ports/0/port").asInt()).as("DNS stays open").isEqualTo(53);
  }

  @Test
  void theNetworkPolicyOpensTheClusterPortsToTheReleasesPodsOnly() {
    RenderedChart chart = render(ciValues("networkpolicy"));
    JsonNode policy = chart.one("NetworkPolicy").path("spec");
    JsonNode selector = chart.one("Deployment").at("/spec/selector/matchLabels");

    JsonNode in = policy.at("/ingress/1");
    assertThat(portNumbers(in)).containsExactly(5701, 5711);
    assertThat(in.path("from")).hasSize(1);
    assertThat(in.at("/from/0/podSelector/matchLabels")).isEqualTo(selector);
    assertThat(in.at("/from/0").has("namespaceSelector")).as("this namespace only").isFalse();

    JsonNode out = policy.at("/egress/1");
    assertThat(portNumbers(out)).containsExactly(5701, 5711);
    assertThat(out.at("/to/0/podSelector/matchLabels")).isEqualTo(selector);
    assertThat(policy.at("/egress/2/ports/0/port").asInt()).as("the user's rule follows").isEqualTo(5432);

    JsonNode single = render(ciValues("networkpolicy"), Map.of("replicaCount", 1)).one("NetworkPolicy").path("spec");
    assertThat(single.path("ingress")).hasSize(1);
    assertThat(single.path("egress")).hasSize(2);
  }

  @Test
  void thePrometheusRuleHasEveryAlertOfTheRulesFile() throws IOException {
    JsonNode rule = render(ciValues("prometheusrule")).one("PrometheusRule");
    JsonNode file = new com.fasterxml.jackson.dataformat.yaml.YAMLMapper()
        .readTree(RenderedChart.CHART.resolve("rules/pgvigil-rules.yaml").toFile());

    assertThat(rule.at("/metadata/labels/release").asText()).isEqualTo("kube-prometheus-stack");
    assertThat(alertNames(rule.path("spec"))).isNotEmpty().isEqualTo(alertNames(file));
    assertThat(alertNames(render(ciValues("prometheusrule"), Map.of("prometheusRule.disabled.PgvigilDown", true,
        "prometheusRule.disabled.PgvigilTargetDown", false)).one("PrometheusRule").path("spec")))
        .doesNotContain("PgvigilDown").contains("PgvigilTargetDown").hasSize(alertNames(file).size() - 1);
    assertThatThrownBy(() -> render(ciValues("prometheusrule"), Map.of("prometheusRule.disabled.PgvigilDwn", true)))
        .hasMessageContaining("there is no alert PgvigilDwn");
  }

  private static List<String> alertNames(JsonNode rules) {
    List<String> names = new ArrayList<>();
    rules.path("groups").forEach(g -> g.path("rules").forEach(r -> names.add(r.path("alert").asText())));
    return names;
  }

  @Test
  void theServiceMonitorTakesRelabelingsSchemeAndTls() {
    RenderedChart tls = render(ciValues("servicemonitor"), Map.of("serviceMonitor.scheme", "https",
        "serviceMonitor.tlsConfig.serverName", "pgvigil.db-tools.svc", "serviceMonitor.port", "metrics-tls",
        "service.extraPorts[0].name", "metrics-tls", "service.extraPorts[0].port", 8443,
        "service.extraPorts[0].targetPort", "metrics-tls"));
    JsonNode endpoint = tls.one("ServiceMonitor").at("/spec/endpoints/0");

    assertThat(endpoint.path("port").asText()).isEqualTo("metrics-tls");
    assertThat(tls.named("Service", RenderedChart.FULLNAME).at("/spec/ports/1/name").asText())
        .isEqualTo("metrics-tls");
    assertThat(endpoint.path("path").asText()).isEqualTo("/metrics");
    assertThat(endpoint.path("interval").asText()).isEqualTo("10s");
    assertThat(endpoint.path("scheme").asText()).isEqualTo("https");
    assertThat(endpoint.at("/tlsConfig/serverName").asText()).isEqualTo("pgvigil.db-tools.svc");
    assertThat(endpoint.at("/relabelings/1/targetLabel").asText()).isEqualTo("cluster");
    assertThat(endpoint.at("/metricRelabelings/0/action").asText()).isEqualTo("drop");

    JsonNode plain = render(ciValues("default"), Map.of("serviceMonitor.enabled", true))
        .one("ServiceMonitor").at("/spec/endpoints/0");
    assertThat(plain.path("port").asText()).isEqualTo("http");
    assertThat(plain.path("scheme").asText()).isEqualTo("http");
    assertThat(plain.has("tlsConfig")).isFalse();
    assertThat(plain.has("relabelings")).isFalse();
  }

  @Test
  void httpsIsScrapedFromATlsSidecarNeverFromPgvigilsPlainPort() {
    assertThatThrownBy(() -> render(ciValues("servicemonitor"), Map.of("serviceMonitor.scheme", "https")))
        .hasMessageContaining("pgvigil serves plain HTTP on port http");
    assertThatThrownBy(() -> render(ciValues("podmonitor"), Map.of("podMonitor.port", "http")))
        .hasMessageContaining("pgvigil serves plain HTTP on port http");
    assertThatThrownBy(() -> render(ciValues("servicemonitor"), Map.of("serviceMonitor.port", "metrics-tls")))
        .hasMessageContaining("service.extraPorts");
  }

  @Test
  void initAndExtraContainersGetTheChartsSecurityContextUnlessTheySetTheirOwn() {
    RenderedChart chart = render(ciValues("default"), Map.of(
        "initContainers[0].name", "copy", "initContainers[0].image", "busybox:1.37",
        "extraContainers[0].name", "proxy", "extraContainers[0].image", "busybox:1.37",
        "extraContainers[1].name", "own", "extraContainers[1].image", "busybox:1.37",
        "extraContainers[1].securityContext.runAsUser", 65532));
    JsonNode chartDefault = chart.container("pgvigil").path("securityContext");

    assertThat(initContainer(chart, "copy").path("securityContext")).isEqualTo(chartDefault);
    assertThat(chart.container("proxy").path("securityContext")).isEqualTo(chartDefault);
    JsonNode own = chart.container("own").path("securityContext");
    assertThat(own.path("runAsUser").asInt()).isEqualTo(65532);
    assertThat(own.has("readOnlyRootFilesystem")).as("the user's securityContext, whole").isFalse();
  }

  @Test
  void aPodMonitorScrapesEveryPodInsteadOfTheServiceMonitor() {
    RenderedChart chart = render(ciValues("podmonitor"));

    assertThat(chart.has("ServiceMonitor")).isFalse();
    JsonNode monitor = chart.one("PodMonitor");
    assertThat(monitor.at("/metadata/labels/release").asText()).isEqualTo("kube-prometheus-stack");
    assertThat(monitor.at("/spec/selector/matchLabels"))
        .isEqualTo(chart.one("Deployment").at("/spec/selector/matchLabels"));
    assertThat(texts(monitor.at("/spec/namespaceSelector/matchNames"))).containsExactly("db-tools");
    JsonNode endpoint = monitor.at("/spec/podMetricsEndpoints/0");
    // https from the TLS-terminating sidecar's port: pgvigil's own is plain HTTP.
    assertThat(endpoint.path("port").asText()).isEqualTo("metrics-tls");
    assertThat(chart.container("metrics-tls").at("/ports/0/name").asText()).isEqualTo("metrics-tls");
    JsonNode ingress = render(ciValues("podmonitor"), Map.of("networkPolicy.enabled", true))
        .one("NetworkPolicy").at("/spec/ingress/0/ports");
    assertThat(ingress.findValuesAsText("port")).containsExactly("http", "metrics-tls");
    assertThat(endpoint.path("path").asText()).isEqualTo("/metrics");
    assertThat(endpoint.path("interval").asText()).isEqualTo("30s");
    assertThat(endpoint.path("scheme").asText()).isEqualTo("https");
    assertThat(endpoint.at("/tlsConfig/ca/configMap/name").asText()).isEqualTo("pgvigil-metrics-ca");
    assertThat(endpoint.at("/relabelings/0/targetLabel").asText()).isEqualTo("cluster");
    assertThat(endpoint.at("/metricRelabelings/0/regex").asText()).isEqualTo("jvm_gc_.*");

    assertThatThrownBy(() -> render(ciValues("podmonitor"), Map.of("serviceMonitor.enabled", true)))
        .hasMessageContaining("enable one, not both");
  }

  @Test
  void aGitSyncSidecarKeepsTheMigrationFolderCurrentBesidePgvigil() {
    RenderedChart chart = render(ciValues("git-sync"));

    JsonNode once = initContainer(chart, "git-sync-once");
    JsonNode sidecar = chart.container("git-sync");
    for (JsonNode gitSync : List.of(once, sidecar)) {
      assertThat(gitSync.path("image").asText()).startsWith("registry.k8s.io/git-sync/git-sync:v4.");
      assertThat(env(gitSync, "GITSYNC_ROOT").path("value").asText()).isEqualTo("/git");
      assertThat(env(gitSync, "GITSYNC_LINK").path("value").asText()).isEqualTo("current");
      assertThat(env(gitSync, "GITSYNC_PASSWORD").at("/valueFrom/secretKeyRef/key").asText()).isEqualTo("git-token");
      assertThat(mountPaths(gitSync)).containsEntry("git", "/git");
    }
    assertThat(texts(once.path("args"))).containsExactly("--one-time");
    assertThat(texts(sidecar.path("args"))).containsExactly("--period=60s");

    assertThat(chart.volume("git").has("emptyDir")).isTrue();
    JsonNode pgvigil = chart.container("pgvigil");
    JsonNode mount = mount(pgvigil, "git");
    assertThat(mount.path("mountPath").asText()).isEqualTo("/git");
    assertThat(mount.path("readOnly").asBoolean()).isTrue();
    assertThat(chart.config().at("/targets/0/migrations/locations/0").asText())
        .startsWith("/git/current/");
    assertThat(pgvigil.path("securityContext")).as("the chart's hardening stays on pgvigil")
        .isEqualTo(render(ciValues("default")).container("pgvigil").path("securityContext"));
    assertThat(chart.podSpec().path("securityContext"))
        .isEqualTo(render(ciValues("default")).podSpec().path("securityContext"));
  }

  @Test
  void anInitContainerCopiesTheMigrationsOutOfTheApplicationsImage() {
    RenderedChart chart = render(ciValues("migrations-from-image"));

    JsonNode copy = initContainer(chart, "copy-migrations");
    assertThat(copy.path("image").asText()).isEqualTo("registry.example.com/shop/api:1.42.0");
    assertThat(mountPaths(copy)).containsEntry("migrations", "/migrations");
    assertThat(mount(copy, "migrations").path("readOnly").asBoolean(false)).isFalse();
    assertThat(chart.volume("migrations").has("emptyDir")).isTrue();
    JsonNode pgvigil = chart.container("pgvigil");
    assertThat(mount(pgvigil, "migrations").path("mountPath").asText()).isEqualTo("/migrations");
    assertThat(mount(pgvigil, "migrations").path("readOnly").asBoolean()).isTrue();
    assertThat(chart.config().at("/targets/0/migrations/locations/0").asText()).isEqualTo("/migrations");
    assertThat(chart.podSpec().path("containers")).as("nothing runs beside pgvigil").hasSize(1);
    assertThat(mountPaths(pgvigil)).containsEntry("data", "/var/lib/pgvigil").containsEntry("tmp", "/tmp");

    assertThat(render(ciValues("default")).podSpec().has("initContainers")).isFalse();
  }

  @Test
  void setsTheLogFormatAndLevelOfTheDaemon() {
    JsonNode json = render(ciValues("json-logs")).container("pgvigil");
    assertThat(env(json, "PGVIGIL_LOG_FORMAT").path("value").asText()).isEqualTo("json");
    assertThat(env(json, "PGVIGIL_LOG_LEVEL").path("value").asText()).isEqualTo("DEBUG");

    JsonNode text = render(ciValues("default"), Map.of("extraEnv[0].name", "TZ", "extraEnv[0].value", "UTC"))
        .container("pgvigil");
    assertThat(env(text, "PGVIGIL_LOG_FORMAT").path("value").asText()).isEqualTo("text");
    assertThat(env(text, "PGVIGIL_LOG_LEVEL").path("value").asText()).isEqualTo("INFO");
    assertThat(env(text, "TZ").path("value").asText()).isEqualTo("UTC");

    assertThatThrownBy(() -> render(ciValues("default"), Map.of("logFormat", "xml"))).hasMessageContaining("logFormat");
    // The daemon takes a level in any letter case, and OFF.
    for (String level : List.of("off", "OFF", "Debug", "trace", "Warn")) {
      assertThat(env(render(ciValues("default"), Map.of("logLevel", level)).container("pgvigil"), "PGVIGIL_LOG_LEVEL")
          .path("value").asText()).isEqualTo(level);
    }
    for (String level : List.of("verbose", "", "INFO ")) {
      assertThatThrownBy(() -> render(ciValues("default"), Map.of("logLevel", level))).as(level)
          .hasMessageContaining("logLevel");
    }
  }

  @ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.ValueSource(strings = {"git-sync", "migrations-from-image"})
  void theReadmeShowsTheMigrationPatternsAsTheTestsRenderThem(String name) throws IOException {
    List<String> lines = Files.readAllLines(ciValues(name));
    int start = 0;
    while (lines.get(start).startsWith("#")) {
      start++;
    }
    String body = String.join("\n", lines.subList(start, lines.size())).strip();

    assertThat(Files.readString(Path.of("README.md"))).contains("```yaml\n" + body + "\n```");
  }

  private static JsonNode initContainer(RenderedChart chart, String name) {
    for (JsonNode c : chart.podSpec().path("initContainers")) {
      if (name.equals(c.path("name").asText())) {
        return c;
      }
    }
    throw new AssertionError("no initContainer " + name);
  }

  private static JsonNode mount(JsonNode container, String volume) {
    for (JsonNode m : container.path("volumeMounts")) {
      if (volume.equals(m.path("name").asText())) {
        return m;
      }
    }
    throw new AssertionError("no mount of " + volume + " in " + container.path("name").asText());
  }

  @Test
  void shipsTheDashboardForTheGrafanaSidecarUnlessDisabled() throws IOException {
    JsonNode configMap = render(ciValues("default")).all("ConfigMap").stream()
        .filter(c -> c.path("data").has("pgvigil.json")).findFirst().orElseThrow();

    assertThat(configMap.at("/metadata/labels/grafana_dashboard").asText()).isEqualTo("1");
    assertThat(configMap.at("/data/pgvigil.json").asText())
        .isEqualTo(Files.readString(RenderedChart.CHART.resolve("dashboards/pgvigil.json")).strip());
    assertThat(render(ciValues("dashboards-disabled")).all("ConfigMap")).hasSize(1);
  }

  @Test
  void rejectsValuesTheSchemaForbids() {
    assertThatThrownBy(() -> render(ciValues("default"), Map.of("shadowSidecar.postgresMajor", 13)))
        .hasMessageContaining("postgresMajor");
    assertThatThrownBy(() -> render(ciValues("default"), Map.of("securityContext.runAsNonRoot", false)))
        .hasMessageContaining("runAsNonRoot");
    assertThatThrownBy(() -> render(ciValues("default"), Map.of("serviceMonitor.enabeld", true)))
        .hasMessageContaining("enabeld");
    assertThatThrownBy(() -> render(ciValues("default"), Map.of("config.server.listen", "0.0.0.0:9000")))
        .hasMessageContaining("listen");
    assertThatThrownBy(() -> render(ciValues("default"), Map.of("replicaCount", -1)))
        .hasMessageContaining("replicaCount");
    assertThatThrownBy(() -> render(ciValues("default"), Map.of("cluster.enabeld", true)))
        .hasMessageContaining("enabeld");
    assertThatThrownBy(() -> render(ciValues("default"), Map.of("podMonitor.relabellings", "x")))
        .hasMessageContaining("relabellings");
    assertThatThrownBy(() -> render(ciValues("default"), Map.of("extraVolumeMounts[0].name", "x",
        "extraVolumeMounts[0].mountPath", "migrations")))
        .hasMessageContaining("mountPath");
  }

  private static String configChecksum(RenderedChart chart) {
    return chart.one("Deployment").at("/spec/template/metadata/annotations/checksum~1config").asText();
  }

  private static List<String> texts(JsonNode array) {
    List<String> texts = new ArrayList<>();
    array.forEach(n -> texts.add(n.asText()));
    return texts;
  }

  /** A container's or a Service spec's ports by name: {@code field} is containerPort or port. */
  private static Map<String, Integer> ports(JsonNode owner, String field) {
    Map<String, Integer> ports = new java.util.HashMap<>();
    owner.path("ports").forEach(p -> ports.put(p.path("name").asText(), p.path(field).asInt()));
    return ports;
  }

  private static List<Integer> portNumbers(JsonNode rule) {
    List<Integer> numbers = new ArrayList<>();
    rule.path("ports").forEach(p -> numbers.add(p.path("port").asInt()));
    return numbers;
  }

  private static Map<String, String> mountPaths(JsonNode container) {
    Map<String, String> mounts = new java.util.HashMap<>();
    container.path("volumeMounts").forEach(m -> mounts.put(m.path("name").asText(), m.path("mountPath").asText()));
    return mounts;
  }
}

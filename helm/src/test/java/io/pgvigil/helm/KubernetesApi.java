package io.pgvigil.helm;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Just enough of a Kubernetes API server for the chart's {@code lookup} of Secrets. helm-java renders like
 * {@code helm install --dry-run}, whose {@code lookup} asks the cluster (real {@code helm template} answers empty
 * without asking): Surefire points {@code KUBECONFIG} at the file this server writes. A Secret put here is what an
 * earlier release left behind.
 */
final class KubernetesApi {

  private static final Pattern SECRET = Pattern.compile("/api/v1/namespaces/([^/]+)/secrets/([^/]+)");
  /** Namespace/name → the value of its key {@code secret}. */
  private static final Map<String, String> SECRETS = new ConcurrentHashMap<>();

  static {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.setExecutor(Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-kubernetes-api");
        t.setDaemon(true);
        return t;
      }));
      server.createContext("/", KubernetesApi::answer);
      server.start();
      String kubeconfig = System.getenv("KUBECONFIG");
      if (kubeconfig != null) {
        Files.createDirectories(Path.of(kubeconfig).toAbsolutePath().getParent());
        Files.writeString(Path.of(kubeconfig), """
            apiVersion: v1
            kind: Config
            clusters: [{ name: fake, cluster: { server: "http://127.0.0.1:%d" } }]
            users: [{ name: fake, user: {} }]
            contexts: [{ name: fake, context: { cluster: fake, user: fake } }]
            current-context: fake
            """.formatted(server.getAddress().getPort()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Makes sure the server runs and {@code KUBECONFIG} names it before Helm renders. */
  static void ensureRunning() {}

  static void secret(String namespace, String name, String value) {
    SECRETS.put(namespace + "/" + name, value);
  }

  static void forget(String namespace, String name) {
    SECRETS.remove(namespace + "/" + name);
  }

  private static void answer(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    Matcher secret = SECRET.matcher(path);
    if (path.equals("/api")) {
      send(exchange, 200, "{\"kind\":\"APIVersions\",\"versions\":[\"v1\"]}");
    } else if (path.equals("/apis")) {
      send(exchange, 200, "{\"kind\":\"APIGroupList\",\"apiVersion\":\"v1\",\"groups\":[]}");
    } else if (path.equals("/api/v1")) {
      send(exchange, 200, """
          {"kind":"APIResourceList","groupVersion":"v1","resources":[{"name":"secrets","singularName":"secret",
          "namespaced":true,"kind":"Secret","verbs":["get","list"]}]}""");
    } else if (secret.matches() && SECRETS.containsKey(secret.group(1) + "/" + secret.group(2))) {
      String value = Base64.getEncoder()
          .encodeToString(SECRETS.get(secret.group(1) + "/" + secret.group(2)).getBytes(StandardCharsets.UTF_8));
      send(exchange, 200, """
          {"kind":"Secret","apiVersion":"v1","metadata":{"name":"%s","namespace":"%s"},"type":"Opaque",
          "data":{"secret":"%s"}}""".formatted(secret.group(2), secret.group(1), value));
    } else {
      send(exchange, 404, """
          {"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404,
          "message":"not found"}""");
    }
  }

  private static void send(HttpExchange exchange, int status, String json) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, body.length);
    exchange.getResponseBody().write(body);
    exchange.close();
  }

  private KubernetesApi() {}
}

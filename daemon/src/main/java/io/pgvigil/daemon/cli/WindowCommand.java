package io.pgvigil.daemon.cli;

import io.pgvigil.daemon.config.PrintableUrl;
import io.pgvigil.daemon.watch.Failures;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code pgvigil window open|close|list}: a client of the window API for CI pipelines. The token comes from
 * {@code $PGVIGIL_API_TOKEN} or a file, never from the command line (where {@code ps} would show it).
 */
@Command(name = "window", mixinStandardHelpOptions = true,
    description = "Open, close and list migration windows through a running pgvigil's API.",
    subcommands = {WindowCommand.Open.class, WindowCommand.Close.class, WindowCommand.List.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:ok", "1:error"})
final class WindowCommand implements Runnable {

  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Where the daemon is and how to authenticate: shared by the window and silence subcommands. */
  static final class Connection {

    @Option(names = "--url", paramLabel = "URL", defaultValue = "${env:PGVIGIL_URL:-http://127.0.0.1:8080}",
        description = "The daemon's base URL (default: $PGVIGIL_URL or ${DEFAULT-VALUE}).")
    String url;

    @Option(names = "--token-file", paramLabel = "FILE",
        description = "A file holding server.apiToken (default: the PGVIGIL_API_TOKEN variable); "
            + "list also takes server.readToken.")
    Path tokenFile;

    @Mixin
    Console console;

    void println(String line) {
      console.out().println(line);
      console.out().flush();
    }

    String token() throws IOException {
      if (tokenFile != null) {
        return Files.readString(tokenFile, StandardCharsets.UTF_8).trim();
      }
      String env = System.getenv("PGVIGIL_API_TOKEN");
      return env == null || env.isBlank() ? null : env.trim();
    }

    /** Sends one request; the body of a 2xx answer, or an exception with the API's message. */
    JsonObject send(String method, String path, JsonObject body, boolean authenticated) throws Exception {
      URI uri;
      try {
        uri = URI.create(url.replaceAll("/+$", "") + path);
      } catch (IllegalArgumentException e) {
        // Not e's message: it quotes the URL, credentials and all.
        throw new IllegalStateException("--url '" + PrintableUrl.of(url) + "' is not a valid URL");
      }
      HttpRequest.Builder request = HttpRequest.newBuilder(uri)
          .timeout(Duration.ofSeconds(10))
          .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofString(body.encode()))
          .header("Content-Type", "application/json");
      String token = token();
      if (authenticated && token == null) {
        throw new IllegalStateException("no API token: set PGVIGIL_API_TOKEN or pass --token-file");
      }
      // Reads send the token too when there is one: with server.readToken set they need it.
      if (token != null) {
        request.header("Authorization", "Bearer " + token);
      }
      HttpResponse<String> response;
      try {
        response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
            .send(request.build(), HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        throw new IllegalStateException("cannot reach pgvigil at " + PrintableUrl.of(url) + ": "
            + Failures.message(e), e);
      }
      JsonObject answer;
      try {
        answer = new JsonObject(response.body());
      } catch (DecodeException e) {
        throw new IllegalStateException(
            PrintableUrl.of(url) + " answered " + response.statusCode() + " without JSON: is it pgvigil?");
      }
      if (response.statusCode() / 100 != 2) {
        throw new IllegalStateException(answer.getString("error", "HTTP " + response.statusCode())
            + " (HTTP " + response.statusCode() + ")");
      }
      return answer;
    }
  }

  @Command(name = "open", mixinStandardHelpOptions = true,
      description = "Opens a window and prints its id (for the matching 'window close').")
  static final class Open implements Callable<Integer> {
    @Mixin
    Connection connection;
    @Option(names = "--target", required = true, paramLabel = "NAME", description = "The target being migrated.")
    String target;
    @Option(names = "--ttl", defaultValue = "30m", paramLabel = "DURATION",
        description = "How long the window stays open at most (default: ${DEFAULT-VALUE}).")
    String ttl;
    @Option(names = "--label", defaultValue = "", paramLabel = "TEXT", description = "What is being deployed.")
    String label;
    @Option(names = "--profile", defaultValue = "in-window", paramLabel = "PROFILE",
        description = "Rules profile: in-window or always (default: ${DEFAULT-VALUE}).")
    String profile;

    @Override
    public Integer call() throws Exception {
      JsonObject window = connection.send("POST", "/api/v1/windows", new JsonObject()
          .put("target", target).put("ttl", ttl).put("label", label).put("profile", profile), true);
      connection.println(window.getString("id"));
      return ExitCode.OK;
    }
  }

  @Command(name = "close", mixinStandardHelpOptions = true, description = "Closes a window by its id.")
  static final class Close implements Callable<Integer> {
    @Mixin
    Connection connection;
    @Parameters(paramLabel = "ID", description = "The id 'window open' printed.")
    String id;

    @Override
    public Integer call() throws Exception {
      JsonObject window = connection.send("DELETE", "/api/v1/windows/" + id, null, true);
      connection.println("closed " + window.getString("id") + " on " + window.getString("target"));
      return ExitCode.OK;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists open and recently closed windows.")
  static final class List implements Callable<Integer> {
    @Mixin
    Connection connection;
    @Option(names = "--format", defaultValue = "text", paramLabel = "FORMAT", description = "text or json.")
    String format;

    @Override
    public Integer call() throws Exception {
      JsonArray windows = connection.send("GET", "/api/v1/windows", null, false).getJsonArray("windows");
      if ("json".equals(format)) {
        connection.println(new JsonObject().put("windows", windows).encodePrettily());
        return ExitCode.OK;
      }
      String row = "%-36s  %-12s  %-6s  %-6s  %-24s  %s";
      connection.println(row.formatted("ID", "TARGET", "OPEN", "SOURCE", "EXPIRES", "LABEL"));
      for (Object o : windows) {
        JsonObject w = (JsonObject) o;
        connection.println(row.formatted(w.getString("id"), w.getString("target"), w.getBoolean("open") ? "yes" : "no",
            w.getString("source"), w.getString("expiresAt"), w.getString("label")));
      }
      return ExitCode.OK;
    }
  }
}

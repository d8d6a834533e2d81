package io.pgvigil.daemon.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A tiny blocking HTTP client for tests against the daemon on loopback. */
public final class Http {

  private final HttpClient client = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(2)).build();
  private final String base;
  private final int port;

  public Http(int port) {
    this.base = "http://127.0.0.1:" + port;
    this.port = port;
  }

  public int port() {
    return port;
  }

  public HttpResponse<String> get(String path) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(5)).GET().build();
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A POST with an optional bearer token and no body. */
  public HttpResponse<String> post(String path, String bearer) {
    return post(path, bearer, null);
  }

  /** A POST with an optional bearer token and an optional JSON body. */
  public HttpResponse<String> post(String path, String bearer, String json) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(60)).POST(json == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(json));
    if (json != null) {
      request.header("Content-Type", "application/json");
    }
    if (bearer != null) {
      request.header("Authorization", "Bearer " + bearer);
    }
    try {
      return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** What {@link #raw} read back: the status code and the body. */
  public record RawResponse(int statusCode, String body) {}

  /**
   * Sends {@code request} (everything before the blank line: request line and headers) as it is,
   * over a plain socket: for targets and header values that {@link java.net.URI} and
   * {@link HttpClient} refuse to send (a bad percent escape, a control character).
   */
  public RawResponse raw(String request, String body) {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
      socket.setSoTimeout(5000);
      byte[] payload = body == null ? new byte[0] : body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      String head = request + "\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
          + (payload.length > 0 ? "Content-Length: " + payload.length + "\r\n" : "") + "\r\n";
      socket.getOutputStream().write(head.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      socket.getOutputStream().write(payload);
      socket.getOutputStream().flush();
      String response = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      int status = Integer.parseInt(response.substring(response.indexOf(' ') + 1, response.indexOf(' ') + 4));
      int bodyStart = response.indexOf("\r\n\r\n");
      return new RawResponse(status, bodyStart < 0 ? "" : response.substring(bodyStart + 4));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The value of one sample line in a Prometheus exposition, or NaN when absent. */
  public static double sample(String exposition, String nameAndLabels) {
    for (String line : exposition.split("\n")) {
      if (line.startsWith(nameAndLabels + " ")) {
        return Double.parseDouble(line.substring(nameAndLabels.length() + 1).trim());
      }
    }
    return Double.NaN;
  }
}

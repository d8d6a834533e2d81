package io.pgvigil.daemon.config;

import io.pgvigil.common.SecretValue;
import io.pgvigil.daemon.tls.PemSource;
import io.pgvigil.daemon.tls.SslMode;
import io.pgvigil.daemon.tls.TlsSettings;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A libpq-style connection URL, {@code postgresql://user[:password]@host[:port]/database[?k=v]}.
 * Parsed by hand rather than with {@link java.net.URI}, which rejects unencoded characters
 * that libpq accepts and would echo the password back in its error messages.
 * See https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNSTRING-URIS
 */
public record DatabaseUrl(String host, int port, String database, String user,
    Optional<SecretValue> password, Map<String, String> params) {

  public static final int DEFAULT_PORT = 5432;

  /** {@code password} is taken as the URL's password. */
  private static final List<String> KNOWN_PARAMETERS =
      List.of("sslmode", "sslrootcert", "sslcert", "sslkey", "password");

  private static final Pattern BAD_ESCAPE = Pattern.compile("%(?![0-9A-Fa-f]{2})");

  private static final Set<String> KNOWN_SCHEMES = Set.of(
      "http", "https", "mysql", "mariadb", "mongodb", "redis", "sqlserver", "oracle", "jdbc", "pgsql", "psql");

  /** Why a URL was rejected; the message never contains the URL's password. */
  public static final class InvalidUrlException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    InvalidUrlException(String message) {
      super(message);
    }
  }

  public static DatabaseUrl parse(String url) {
    String text = url == null ? "" : url.trim();
    int schemeEnd = text.indexOf("://");
    if (schemeEnd < 0) {
      throw new InvalidUrlException("is not a database URL; write it as postgresql://user@host:5432/database");
    }
    String scheme = text.substring(0, schemeEnd);
    if (!scheme.equals("postgresql") && !scheme.equals("postgres")) {
      if (scheme.equals("jdbc:postgresql")) {
        throw new InvalidUrlException(
            "is a JDBC URL; drop the jdbc: prefix and write postgresql://user@host:5432/database");
      }
      // Quote only well-known schemes: a mistyped ${env:...} could put a secret in front of "://".
      String quoted = KNOWN_SCHEMES.contains(scheme.toLowerCase()) ? "scheme '" + scheme + "'" : "this scheme";
      throw new InvalidUrlException(quoted + " is not supported; the URL must start with postgresql:// or postgres://");
    }
    String rest = text.substring(schemeEnd + 3);
    int query = rest.indexOf('?');
    Map<String, String> params = query < 0 ? Map.of() : parseParams(rest.substring(query + 1));
    String beforeQuery = query < 0 ? rest : rest.substring(0, query);

    // The last '@' ends the user info, so an unencoded '@' in a password still parses.
    int at = beforeQuery.lastIndexOf('@');
    String[] userInfo = beforeQuery.substring(0, Math.max(at, 0)).split(":", 2);
    String user = decode(userInfo[0], "user");
    if (at < 0 || user.isEmpty()) {
      throw new InvalidUrlException("has no user; write it as postgresql://USER@host:5432/database");
    }
    Optional<SecretValue> password = userInfo.length == 2 && !userInfo[1].isEmpty()
        ? Optional.of(SecretValue.of(decode(userInfo[1], "password")))
        : Optional.empty();
    String hostAndPath = beforeQuery.substring(at + 1);
    int slash = hostAndPath.indexOf('/');
    String hostPort = slash < 0 ? hostAndPath : hostAndPath.substring(0, slash);
    String database = slash < 0 ? "" : decode(hostAndPath.substring(slash + 1), "database");
    if (database.isEmpty()) {
      throw new InvalidUrlException(
          "has no database name; add it after the host, as in postgresql://user@host:5432/DATABASE");
    }
    if (hostPort.contains(",")) {
      throw new InvalidUrlException(
          "lists several hosts; pgvigil watches one server per URL, declare replicas separately");
    }
    String host;
    String portText;
    if (hostPort.startsWith("[")) { // IPv6 literal: [::1]:5432
      int close = hostPort.indexOf(']');
      if (close < 0) {
        throw new InvalidUrlException("has an IPv6 host without a closing ']'");
      }
      host = hostPort.substring(1, close);
      portText = hostPort.substring(close + 1).startsWith(":") ? hostPort.substring(close + 2) : "";
    } else {
      int colon = hostPort.indexOf(':');
      host = colon < 0 ? hostPort : hostPort.substring(0, colon);
      portText = colon < 0 ? "" : hostPort.substring(colon + 1);
    }
    if (host.isEmpty()) {
      throw new InvalidUrlException("has no host; write it as postgresql://user@HOST:5432/database");
    }
    // libpq also accepts the password as a query parameter; keep it out of the plain map.
    Map<String, String> plainParams = new LinkedHashMap<>(params);
    String queryPassword = plainParams.remove("password");
    if (password.isEmpty() && queryPassword != null && !queryPassword.isEmpty()) {
      password = Optional.of(SecretValue.of(queryPassword));
    }
    validate(plainParams);
    return new DatabaseUrl(host, parsePort(portText), database, user, password,
        Collections.unmodifiableMap(plainParams));
  }

  public TlsSettings tls() {
    return TlsSettings.fromParams(params);
  }

  /** PEM paths are relative to the config file, like the migration locations. */
  DatabaseUrl resolveFiles(Path baseDir) {
    Map<String, String> resolved = new LinkedHashMap<>(params);
    for (String key : List.of("sslrootcert", "sslcert", "sslkey")) {
      String value = params.get(key);
      if (value != null && !PemSource.isPem(value) && !value.equals(TlsSettings.SYSTEM_ROOT_CERT)) {
        try {
          resolved.put(key, baseDir.resolve(value).normalize().toString());
        } catch (InvalidPathException e) {
          // left as written: reading it fails and says so
        }
      }
    }
    return new DatabaseUrl(host, port, database, user, password,
        Collections.unmodifiableMap(resolved));
  }

  /** The URL without its password, safe for logs and {@code check-config}. */
  public String redacted() {
    StringBuilder out = new StringBuilder("postgresql://").append(encode(user)).append('@')
        .append(host.contains(":") ? "[" + host + "]" : host).append(':').append(port)
        .append('/').append(encode(database));
    if (!params.isEmpty()) {
      out.append('?').append(params.entrySet().stream()
          .map(e -> encode(e.getKey()) + "=" + shown(e.getKey(), e.getValue()))
          .collect(Collectors.joining("&")));
    }
    return out.toString();
  }

  public DatabaseUrl withPassword(Optional<SecretValue> newPassword) {
    return new DatabaseUrl(host, port, database, user, newPassword, params);
  }

  /** The same server, user and TLS settings, another database (a server-level target's databases). */
  public DatabaseUrl withDatabase(String otherDatabase) {
    return new DatabaseUrl(host, port, otherDatabase, user, password, params);
  }

  @Override
  public String toString() {
    return redacted();
  }

  /** A PEM given inline is shown as a mark; an inline private key is a secret like a password. */
  private static String shown(String key, String value) {
    if (key.contains("password") || key.equals("sslkey") && PemSource.isPem(value)) {
      return "******";
    }
    return PemSource.isPem(value) ? "<inline-pem>" : encode(value).replace("%2F", "/");
  }

  /**
   * Anything but libpq's TLS parameters is refused: an unknown parameter used to travel to the
   * server as a startup parameter, where a typo (sslmod=require) silently meant no TLS.
   */
  private static void validate(Map<String, String> params) {
    for (String key : params.keySet()) {
      if (!KNOWN_PARAMETERS.contains(key)) {
        String shown = key.matches("[A-Za-z0-9_.-]{1,40}") ? "'" + key + "'" : "a parameter";
        throw new InvalidUrlException("has unknown parameter " + shown
            + ConfigNode.closest(key, KNOWN_PARAMETERS).map(s -> "; did you mean '" + s + "'?").orElse("")
            + " (known parameters: " + String.join(", ", KNOWN_PARAMETERS) + ")");
      }
    }
    String mode = params.get("sslmode");
    if (mode != null && SslMode.fromLibpq(mode).isEmpty()) {
      String shown = mode.matches("[A-Za-z0-9_-]{1,20}") ? "'" + mode + "'" : "the value";
      throw new InvalidUrlException("has sslmode " + shown + "; use one of " + String.join(", ", SslMode.names()));
    }
    for (String file : List.of("sslrootcert", "sslcert", "sslkey")) {
      if (params.containsKey(file) && params.get(file).isBlank()) {
        throw new InvalidUrlException("has an empty " + file + "; give a PEM file path or remove it");
      }
    }
    if (params.containsKey("sslcert") != params.containsKey("sslkey")) {
      throw new InvalidUrlException("has "
          + (params.containsKey("sslcert") ? "sslcert without sslkey" : "sslkey without sslcert")
          + "; a client certificate needs both the certificate (sslcert) and its private key (sslkey)");
    }
    if ("verify-ca".equals(mode) && !params.containsKey("sslrootcert")) {
      // libpq refuses it too: the JDK's public CAs vouch for anyone's own domain, and verify-ca
      // never checks that the certificate names this host.
      throw new InvalidUrlException("has sslmode=verify-ca without sslrootcert; give sslrootcert (the PEM"
          + " of the CA that signs the server's certificate), or use sslmode=verify-full&sslrootcert=system"
          + " to trust the system's CAs with the host name checked");
    }
    if (TlsSettings.SYSTEM_ROOT_CERT.equals(params.get("sslrootcert"))
        && !SslMode.fromLibpq(mode == null ? "" : mode).filter(SslMode::verifiesHost).isPresent()) {
      throw new InvalidUrlException("has sslrootcert=system without sslmode=verify-full; as in libpq, the"
          + " system's CAs vouch for any public host name, so the host name must be checked too");
    }
    if (mode != null && !SslMode.fromLibpq(mode).orElseThrow().usesTls()
        && (params.containsKey("sslrootcert") || params.containsKey("sslcert"))) {
      throw new InvalidUrlException(
          "has sslmode=disable together with TLS files; remove them or choose another sslmode");
    }
  }

  private static int parsePort(String text) {
    if (text.isEmpty()) {
      return DEFAULT_PORT;
    }
    try {
      int port = Integer.parseInt(text);
      if (port >= 1 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // fall through to the message below
    }
    throw new InvalidUrlException((text.matches("\\d{1,10}") ? "port '" + text + "'" : "the port")
        + " must be a number between 1 and 65535");
  }

  private static Map<String, String> parseParams(String query) {
    Map<String, String> params = new LinkedHashMap<>();
    for (String pair : query.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new InvalidUrlException("has a query parameter without a name or '='; write it as ?key=value");
      }
      params.put(decode(pair.substring(0, eq), "query parameter"), decode(pair.substring(eq + 1), "query parameter"));
    }
    return params;
  }

  /** RFC 3986 percent-decoding; unlike URLDecoder it leaves '+' alone, as libpq does. */
  private static String decode(String text, String part) {
    Matcher bad = BAD_ESCAPE.matcher(text);
    if (bad.find()) {
      throw new InvalidUrlException(bad.start() + 2 >= text.length()
          ? "has an incomplete percent-escape in the " + part
          : "has an invalid percent-escape in the " + part);
    }
    return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  /** URLEncoder's form encoding, turned into RFC 3986 percent-encoding. */
  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A").replace("%7E", "~");
  }
}

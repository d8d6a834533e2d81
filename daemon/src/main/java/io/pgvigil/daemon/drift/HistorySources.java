package io.pgvigil.daemon.drift;

import io.pgvigil.checks.history.HistoryDatabase;
import io.pgvigil.common.SecretValue;
import io.pgvigil.daemon.config.DatabaseUrl;
import io.pgvigil.daemon.tls.JdbcTls;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Collectors;

/** Turns a configured URL into what the history reader and the url shadow connect with. */
public final class HistorySources {

  private HistorySources() {}

  /** A JDBC URL without credentials (the password travels apart); its parameters are TLS settings. */
  public static HistoryDatabase database(DatabaseUrl url) {
    Map<String, String> tls = JdbcTls.parameters(url.tls());
    String params = tls.entrySet().stream().map(HistorySources::param).collect(Collectors.joining("&"));
    String host = url.host().contains(":") ? "[" + url.host() + "]" : url.host();
    String jdbc = "jdbc:postgresql://" + host + ":" + url.port() + "/"
        + URLEncoder.encode(url.database(), StandardCharsets.UTF_8) + "?" + params;
    return new HistoryDatabase(jdbc, url.user(), url.password().map(SecretValue::reveal).orElse(null));
  }

  private static String param(Map.Entry<String, String> e) {
    return URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8);
  }
}

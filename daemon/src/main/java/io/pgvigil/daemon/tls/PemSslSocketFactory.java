package io.pgvigil.daemon.tls;

import java.util.Properties;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.postgresql.ssl.WrappedFactory;

/**
 * pgjdbc's {@code sslfactory} for pgvigil's JDBC connections (history reader, Flyway, shadow,
 * review): trust and keys come from {@link TlsContexts}, as for the reactive client, instead of
 * pgjdbc's own file handling (which wants other key formats and ~/.postgresql defaults). pgjdbc
 * itself still checks the host name for verify-full and falls back for allow/prefer.
 */
public final class PemSslSocketFactory extends WrappedFactory {

  /**
   * pgjdbc calls this with the connection's properties, the URL parameters among them: the PEM
   * paths, or the id of settings with inline PEM ({@link JdbcTls#FACTORY_ARG}).
   */
  public PemSslSocketFactory(Properties info) throws TlsSetupException {
    String inline = info.getProperty(JdbcTls.FACTORY_ARG);
    TlsSettings tls = inline != null
        ? JdbcTls.inlineSettings(inline).orElseThrow(() -> new TlsSetupException(
            "the inline TLS settings this JDBC URL refers to are not known to this process"))
        : TlsSettings.fromParams(info.stringPropertyNames().stream()
            .collect(Collectors.toMap(Function.identity(), info::getProperty)));
    factory = TlsContexts.sslContext(tls).getSocketFactory();
  }
}

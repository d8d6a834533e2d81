package io.pgvigil.checks.testing;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives each test class a fresh PostgreSQL server with an empty {@code app} database:
 * a container when Docker has a local image of the major ({@link ContainerBackend}), else the embedded server.
 * The major comes from {@code -Dpgvigil.test.pg} (14–18, default 17).
 *
 * <pre>{@code
 * @ExtendWith(PostgresExtension.class)
 * class LockQueueIT {
 *   @Test
 *   void seesTheQueue(TestPostgres postgres) { ... }   // or: static TestPostgres postgres;
 * }
 * }</pre>
 *
 * The server is stopped and its data removed when the class is done, whatever the outcome
 * (JUnit closes the {@link AutoCloseable} in the class's store). Nested classes share their
 * enclosing class's server.
 */
public final class PostgresExtension implements BeforeAllCallback, ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(PostgresExtension.class);

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    OwnedTestPostgres server = ExtensionSupport.startOnce(context, NAMESPACE, OwnedTestPostgres.class,
        () -> TestServers.start(context.getRequiredTestClass().getSimpleName()));
    ExtensionSupport.injectStaticFields(context, TestPostgres.class, server);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == TestPostgres.class;
  }

  /** The class's server, or null before this extension ran. */
  static TestPostgres server(ExtensionContext context) {
    return context.getStore(NAMESPACE).get(OwnedTestPostgres.class, OwnedTestPostgres.class);
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    TestPostgres server = server(context);
    if (server == null) {
      throw new ParameterResolutionException("no test PostgreSQL: register PostgresExtension on the test class "
          + "(@ExtendWith or a static @RegisterExtension field) so that it starts before the class");
    }
    return server;
  }
}

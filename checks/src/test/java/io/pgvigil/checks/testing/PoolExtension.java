package io.pgvigil.checks.testing;

import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.lang.reflect.Field;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What an IT that watches sessions needs besides its server: a {@link Vertx}, a {@link Pool} on the
 * {@link PostgresExtension}'s server (as its superuser, set up like the daemon's) and, per test, the
 * {@link Backends} it drives, all put into the test class's fields of those types and closed after it.
 *
 * <pre>{@code
 * @ExtendWith({PostgresExtension.class, PoolExtension.class})
 * class LockProbeIT {
 *   static TestPostgres pg;
 *   static Vertx vertx;
 *   static Pool pool;
 *   private Backends backends;
 * }
 * }</pre>
 *
 * Backends are closed after the test's own {@code @AfterEach} methods; a test that must end its sessions
 * before its own cleanup closes them there ({@link Backends#close()} may be called twice).
 */
public final class PoolExtension implements BeforeAllCallback, BeforeEachCallback {

  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(PoolExtension.class);

  /** The class's Vert.x; JUnit closes it, and the pool with it, when the class is done. */
  private record Client(Vertx vertx, Pool pool) implements AutoCloseable {

    @Override
    public void close() throws Exception {
      TestPools.await(vertx.close());
    }
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    Client client = context.getStore(NAMESPACE).computeIfAbsent(Client.class, type -> {
      Vertx vertx = Vertx.vertx();
      return new Client(vertx, TestPools.pool(vertx, server(context)));
    }, Client.class);
    ExtensionSupport.injectStaticFields(context, Vertx.class, client.vertx());
    ExtensionSupport.injectStaticFields(context, Pool.class, client.pool());
  }

  @Override
  public void beforeEach(ExtensionContext context) throws IllegalAccessException {
    Backends backends = new Backends(server(context));
    context.getStore(NAMESPACE).put(Backends.class, backends); // JUnit closes it after the test
    for (Field field : context.getRequiredTestClass().getDeclaredFields()) {
      if (field.getType() == Backends.class) {
        field.setAccessible(true);
        field.set(context.getRequiredTestInstance(), backends);
      }
    }
  }

  private static TestPostgres server(ExtensionContext context) {
    TestPostgres server = PostgresExtension.server(context);
    if (server == null) {
      throw new ExtensionConfigurationException("register PostgresExtension before PoolExtension");
    }
    return server;
  }
}

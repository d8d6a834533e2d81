package io.pgvigil.checks.testing;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives each test class a fresh {@link ReplicaPair} (replica named {@value #REPLICA_NAME}), as a
 * {@code ReplicaPair} parameter or a static {@code ReplicaPair} field; closed after the class.
 */
public final class ReplicaPairExtension implements BeforeAllCallback, ParameterResolver {

  public static final String REPLICA_NAME = "replica-1";
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(ReplicaPairExtension.class);

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    ReplicaPair pair = ExtensionSupport.startOnce(context, NAMESPACE, ReplicaPair.class,
        () -> ReplicaPair.start(REPLICA_NAME));
    ExtensionSupport.injectStaticFields(context, ReplicaPair.class, pair);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == ReplicaPair.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    ReplicaPair pair = context.getStore(NAMESPACE).get(ReplicaPair.class, ReplicaPair.class);
    if (pair == null) {
      throw new ParameterResolutionException("no replica pair: register ReplicaPairExtension on the test class");
    }
    return pair;
  }
}

package io.pgvigil.checks.testing;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/** What the fixture extensions share: one value per test class, also put into its static fields. */
final class ExtensionSupport {

  private ExtensionSupport() {}

  /** Starts a class's fixture. */
  interface Start<T> {
    T start() throws IOException;
  }

  /** The fixture stored for the class (an enclosing class's, if any), else a new one, stored; keyed by its type. */
  static <T> T startOnce(ExtensionContext context, ExtensionContext.Namespace namespace, Class<T> type,
      Start<T> start) throws IOException {
    ExtensionContext.Store store = context.getStore(namespace);
    T value = store.get(type, type);
    if (value == null) {
      value = start.start();
      store.put(type, value);
    }
    return value;
  }

  /**
   * Sets every static, non-final field of the given type in the test class (and its superclasses),
   * so a test may declare {@code static TestPostgres postgres;} instead of taking a parameter.
   */
  static void injectStaticFields(ExtensionContext context, Class<?> type, Object value) {
    for (Class<?> c = context.getRequiredTestClass(); c != null && c != Object.class; c = c.getSuperclass()) {
      for (Field field : c.getDeclaredFields()) {
        int modifiers = field.getModifiers();
        if (field.getType() == type && Modifier.isStatic(modifiers)) {
          if (Modifier.isFinal(modifiers)) {
            throw new ExtensionConfigurationException("static field " + c.getSimpleName() + "." + field.getName()
                + " must not be final to receive the " + type.getSimpleName());
          }
          try {
            field.setAccessible(true);
            field.set(null, value);
          } catch (IllegalAccessException | RuntimeException e) {
            throw new ExtensionConfigurationException("cannot set " + c.getSimpleName() + "." + field.getName(), e);
          }
        }
      }
    }
  }
}

package org.healthpredict.core.testing;

import org.healthpredict.core.tracking.Tracking;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives a test class the JVM's shared MLflow server ({@link MlflowServer#shared()}) and one
 * {@link Tracking} connection to it, closed after the class: declare
 * {@code @ExtendWith(SharedMlflow.class)} and take a {@code Tracking} or an {@code MlflowServer} as a
 * parameter of a constructor, {@code @BeforeAll} or test method.
 */
public final class SharedMlflow implements ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(SharedMlflow.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == Tracking.class || type == MlflowServer.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    MlflowServer server = MlflowServer.shared();
    if (parameter.getParameter().getType() == MlflowServer.class) {
      return server;
    }
    // Stored on the class's context: one connection per test class, closed when the class ends.
    ExtensionContext classContext = context.getParent()
        .filter(parent -> context.getTestMethod().isPresent()).orElse(context);
    return classContext.getStore(NAMESPACE)
        .getOrComputeIfAbsent(Connection.class, key -> new Connection(Tracking.connect(server.trackingUri())),
            Connection.class)
        .tracking();
  }

  /** Closes its connection when JUnit closes the store it lives in. */
  private record Connection(Tracking tracking) implements AutoCloseable {
    @Override
    public void close() {
      tracking.close();
    }
  }
}

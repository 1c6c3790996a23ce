package jakarta.servlet;

/**
 * Servlet 5.0's deprecated marker interface, removed in Servlet 6.0.
 *
 * <p>Why it is here: this service runs two Jettys in one JVM. Javalin 7 runs on Jetty 12, which
 * needs the Servlet 6.0 API; Spark (needed to read the saved PipelineModel) carries a shaded Jetty
 * 11 built against Servlet 5.0, and creating a SparkContext builds a servlet handler for Spark's
 * metrics even with the UI off, which tests {@code servlet instanceof SingleThreadModel}. With the
 * 6.0 API alone that check fails with NoClassDefFoundError. The interface has no methods, so
 * restoring it changes nothing for Jetty 12.
 */
@Deprecated
public interface SingleThreadModel {}

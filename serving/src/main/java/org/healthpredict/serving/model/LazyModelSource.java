package org.healthpredict.serving.model;

import java.util.function.Supplier;

/**
 * Creates the real source on first use. Building the MLflow source loads Hadoop, Spark ML and the
 * tracking client (seconds); deferring it to the first load lets the HTTP server listen, and answer
 * liveness, at once, while the model loads in the background.
 */
public final class LazyModelSource implements ModelSource {

  private final Supplier<ModelSource> factory;
  private ModelSource source;

  public LazyModelSource(Supplier<ModelSource> factory) {
    this.factory = factory;
  }

  private synchronized ModelSource source() {
    if (source == null) {
      source = factory.get();
    }
    return source;
  }

  @Override
  public LoadedModel load(String uri) {
    return source().load(uri);
  }

  @Override
  public String currentVersion(String uri) {
    return source().currentVersion(uri);
  }
}

package org.healthpredict.serving.model;

/** Where models come from: the MLflow registry or a directory in production, a fixture in tests. */
public interface ModelSource {

  /** Loads and prepares the model a URI names now (an alias is resolved at this moment). */
  LoadedModel load(String uri);

  /**
   * Which version the URI names now, cheaply (no model download), so a poller can tell whether a
   * reload is needed. For URIs that do not move (a version, a directory) it is the URI itself.
   */
  String currentVersion(String uri);
}

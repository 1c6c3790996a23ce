package org.healthpredict.core.release;

import java.util.function.Function;
import org.healthpredict.core.model.MlflowModel;
import org.healthpredict.core.registry.ModelRegistry;
import org.healthpredict.core.registry.ModelVersion;
import org.healthpredict.core.registry.RegistryException;
import org.healthpredict.core.scoring.ArtifactFetcher;
import org.healthpredict.core.scoring.ModelUri;
import org.healthpredict.core.tracking.Tracking;

/**
 * Loads a model from wherever an MLflow user points at it: {@code models:/<name>@<alias>},
 * {@code models:/<name>/<version>}, {@code runs:/<run id>/model} or a model directory.
 */
public final class ModelLoader {

  private final Tracking tracking;
  private final ModelRegistry registry;
  private final ArtifactFetcher fetcher;
  private final Function<String, MlflowModel> directoryReader;

  /** Reads model directories with the active SparkSession ({@link MlflowModel#load(String)}). */
  public ModelLoader(Tracking tracking) {
    this(tracking, MlflowModel::load);
  }

  /** Reads model directories (given their URI) with {@code directoryReader}. */
  public ModelLoader(Tracking tracking, Function<String, MlflowModel> directoryReader) {
    this.tracking = tracking;
    this.registry = new ModelRegistry(tracking);
    this.fetcher = new ArtifactFetcher(tracking);
    this.directoryReader = directoryReader;
  }

  /** A loaded model and, for registry URIs, which registered version it is. */
  public record Loaded(MlflowModel model, String name, String version, String runId) {}

  public Loaded load(String uri) {
    ModelUri parsed = ModelUri.parse(uri);
    if (parsed instanceof ModelUri.ByAlias a) {
      return fromVersion(aliased(a));
    }
    if (parsed instanceof ModelUri.ByVersion v) {
      return fromVersion(registry.version(v.name(), v.version()));
    }
    if (parsed instanceof ModelUri.ByRun r) {
      return new Loaded(read(r.runId(), r.path()), "run", r.runId(), r.runId());
    }
    ModelUri.Directory d = (ModelUri.Directory) parsed;
    return new Loaded(directoryReader.apply(d.uri()), "directory", d.uri(), null);
  }

  /**
   * Which version a URI names now, without fetching the model: what {@link Loaded#version} of a load
   * would be (the registered version an alias points to, the pinned version or run, or the
   * directory). A server polls this to see whether an alias moved.
   */
  public String version(String uri) {
    ModelUri parsed = ModelUri.parse(uri);
    if (parsed instanceof ModelUri.ByAlias a) {
      return aliased(a).version();
    }
    if (parsed instanceof ModelUri.ByVersion v) {
      return v.version();
    }
    if (parsed instanceof ModelUri.ByRun r) {
      return r.runId();
    }
    return ((ModelUri.Directory) parsed).uri();
  }

  private ModelVersion aliased(ModelUri.ByAlias a) {
    return registry.versionByAlias(a.name(), a.alias()).orElseThrow(() -> new RegistryException(
        "model '" + a.name() + "' has no alias '" + a.alias() + "' in the registry at " + tracking.trackingUri()));
  }

  /** Loads a registered version from its run's model artifact. */
  public Loaded fromVersion(ModelVersion v) {
    if (v.runId() == null || v.runId().isBlank()) {
      // Every version `register` creates comes from a run; others are not ours to load.
      throw new RegistryException("version " + v.version() + " of model '" + v.name() + "' was not registered "
          + "from a run (source " + v.source() + "); register it with `register --run`");
    }
    return new Loaded(read(v.runId(), ModelRegistry.MODEL_ARTIFACT), v.name(), v.version(), v.runId());
  }

  /**
   * Reads a run's model directory, then deletes the copy downloaded for it (if one was): both readers,
   * Spark's {@code PipelineModel.load} and the scoring service's, hold the whole model in memory once
   * they return, and a service that reloads its model would otherwise keep every copy on its disk.
   */
  private MlflowModel read(String runId, String path) {
    try (ArtifactFetcher.Fetched dir = fetcher.fetch(runId, path)) {
      return directoryReader.apply(dir.uri());
    }
  }
}

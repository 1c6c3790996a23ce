package org.healthpredict.core.training;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import org.apache.spark.ml.PipelineModel;
import org.healthpredict.core.tracking.TrackedRun;

/** Logs a fitted PipelineModel as a run's artifact directory (saved locally first, then uploaded). */
public final class ModelArtifacts {

  /** Artifact path of the fitted PipelineModel within a run. */
  public static final String MODEL = "model";

  private ModelArtifacts() {}

  public static void log(TrackedRun run, PipelineModel model) {
    Path dir = null;
    try {
      dir = Files.createTempDirectory("health-predict-model-");
      Path modelDir = dir.resolve(MODEL);
      // The driver-local staging directory works in local and client mode, where the driver's
      // file system is the one executors write the model's parts to.
      model.write().overwrite().save(modelDir.toUri().toString());
      run.logArtifacts(modelDir, MODEL);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot stage the model for upload", e);
    } finally {
      deleteQuietly(dir);
    }
  }

  private static void deleteQuietly(Path dir) {
    if (dir == null) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // A leftover temporary directory is harmless.
    }
  }
}

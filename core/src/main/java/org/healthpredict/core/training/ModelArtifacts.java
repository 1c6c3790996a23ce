package org.healthpredict.core.training;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.function.BiConsumer;
import org.apache.spark.ml.PipelineModel;
import org.healthpredict.core.model.InputExample;
import org.healthpredict.core.model.MlflowModel;
import org.healthpredict.core.model.MlflowModelWriter;
import org.healthpredict.core.model.ModelMetadata;
import org.healthpredict.core.tracking.TrackedRun;

/**
 * Logs a fitted PipelineModel as a run's {@code model} artifact, an MLflow Spark model directory
 * (see {@link MlflowModelWriter}; saved locally first, then uploaded). Read it back with
 * {@link MlflowModel#load(String)}.
 */
public final class ModelArtifacts {

  /** Artifact path of the model directory within a run. */
  public static final String MODEL = "model";

  private ModelArtifacts() {}

  /** Logs the model with its metadata and one real input record, the form every model should take. */
  public static void log(TrackedRun run, PipelineModel model, ModelMetadata metadata, InputExample example) {
    stageAndUpload(run, (writer, dir) -> writer.write(dir, model, metadata, example));
  }

  /**
   * Logs the model without metadata or input example; it still loads with {@code mlflow.spark}
   * and {@link MlflowModel#load(String)}, but carries no decision threshold or training data.
   */
  public static void log(TrackedRun run, PipelineModel model) {
    stageAndUpload(run, (writer, dir) -> writer.writeWithoutMetadata(dir, model));
  }

  private static void stageAndUpload(TrackedRun run, BiConsumer<MlflowModelWriter, Path> write) {
    Path dir = null;
    try {
      dir = Files.createTempDirectory("health-predict-model-");
      Path modelDir = dir.resolve(MODEL);
      // The driver-local staging directory works in local and client mode, where the driver's
      // file system is the one executors write the model's parts to.
      write.accept(new MlflowModelWriter().forRun(run.runId(), MODEL), modelDir);
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

package org.healthpredict.core.training;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.ml.PipelineModel;
import org.healthpredict.core.model.InputExample;
import org.healthpredict.core.model.MlflowModel;
import org.healthpredict.core.model.MlflowModelWriter;
import org.healthpredict.core.model.ModelMetadata;
import org.healthpredict.core.testhook.PausePoint;
import org.healthpredict.core.tracking.TrackedRun;

/**
 * Logs a fitted PipelineModel as a run's {@code model} artifact, an MLflow Spark model directory
 * (see {@link MlflowModelWriter}; saved locally first, then uploaded). Read it back with
 * {@link MlflowModel#load(String)}.
 *
 * <p>An upload cut short (the driver killed) and done again, as a resumed sweep does, must leave one
 * whole model, not the new files beside the dead attempt's. So the files get deterministic names
 * (Spark names part files after its write job, see {@link #stableNames}), and go up in an order
 * that commits: the Spark stages first, then the Spark pipeline's metadata that names them, then the
 * rest, {@code MLmodel} last. At any moment the pipeline metadata points at stages uploaded whole,
 * and a directory without {@code MLmodel} is no model to any MLflow reader. A dead attempt's stage
 * directories (named after stage uids, which differ between fits) may stay behind, unreferenced.
 */
public final class ModelArtifacts {

  /** Artifact path of the model directory within a run. */
  public static final String MODEL = "model";
  /** Pause point (see {@link PausePoint}) with the stages uploaded and nothing naming them yet. */
  public static final String PAUSE_STAGES_UPLOADED = "model-upload:stages-uploaded";

  /** {@code part-00000-<write job uuid>-c000.snappy.parquet}, and its {@code .crc} beside it. */
  private static final Pattern PART_FILE = Pattern.compile(
      "^(\\.?part-\\d+)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(-c\\d+.*)$");

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
      stableNames(modelDir);
      upload(run, modelDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot stage the model for upload", e);
    } finally {
      deleteQuietly(dir);
    }
  }

  /**
   * Renames Spark's part files without their write-job uuid, so that logging the same model again
   * overwrites each file instead of adding a second part (which Spark would read as more rows).
   */
  static void stableNames(Path modelDir) throws IOException {
    List<Path> parts;
    try (Stream<Path> files = Files.walk(modelDir)) {
      parts = files.filter(f -> PART_FILE.matcher(f.getFileName().toString()).matches()).toList();
    }
    for (Path part : parts) {
      Files.move(part, part.resolveSibling(PART_FILE.matcher(part.getFileName().toString()).replaceFirst("$1$2")));
    }
  }

  /** Uploads in the committing order described above. */
  private static void upload(TrackedRun run, Path modelDir) throws IOException {
    Path stages = modelDir.resolve(MlflowModel.SPARK_MODEL_PATH).resolve("stages");
    Path spark = modelDir.resolve(MlflowModel.SPARK_MODEL_PATH);
    Path mlmodel = modelDir.resolve(MlflowModel.MLMODEL_FILE);
    List<Path> files;
    try (Stream<Path> all = Files.walk(modelDir)) {
      files = all.filter(Files::isRegularFile).sorted(Comparator.comparingInt((Path f) ->
          f.startsWith(stages) ? 0 : f.startsWith(spark) ? 1 : f.equals(mlmodel) ? 3 : 2)
          .thenComparing(Comparator.naturalOrder())).toList();
    }
    boolean stagesDone = false;
    for (Path file : files) {
      if (!stagesDone && !file.startsWith(stages)) {
        stagesDone = true;
        PausePoint.reach(PAUSE_STAGES_UPLOADED);
      }
      Path parent = modelDir.relativize(file).getParent();
      run.logArtifact(file, parent == null ? MODEL : MODEL + "/" + parent.toString().replace('\\', '/'));
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

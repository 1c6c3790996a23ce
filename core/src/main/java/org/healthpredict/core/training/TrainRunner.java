package org.healthpredict.core.training;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.spark.ml.classification.ProbabilisticClassifier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.healthpredict.core.features.ModelFamily;
import org.healthpredict.core.split.SplitManifest;
import org.healthpredict.core.tracking.TrackedRun;
import org.healthpredict.core.tracking.Tracking;

/**
 * The train job's work: fit one model on a split's train part, evaluate it on validation, and record
 * everything in one MLflow run — parameters, validation metrics, the split manifest as the run's
 * dataset input, and the fitted PipelineModel as the {@code model} artifact.
 */
public final class TrainRunner {

  private final SparkSession spark;
  private final Consumer<String> progress;

  public TrainRunner(SparkSession spark, Consumer<String> progress) {
    this.spark = spark;
    this.progress = progress;
  }

  /** What was trained and where it was recorded. */
  public record Outcome(String runId, String experimentId, ModelTrainer.Trained trained) {}

  public Outcome run(String splitUri, ModelFamily family, Map<String, String> params, long seed,
      Tracking tracking, String experimentName, String runName) {
    return run(List.of(splitUri), family, params, seed, tracking, experimentName, runName);
  }

  /** Trains on a split plus further encounters (see {@link TrainingData}): retraining after drift. */
  public Outcome run(List<String> dataUris, ModelFamily family, Map<String, String> params, long seed,
      Tracking tracking, String experimentName, String runName) {
    TrainingData data = TrainingData.read(spark, dataUris);
    String splitUri = data.splitUri();
    SplitManifest manifest = data.manifest();
    Dataset<Row> train = data.train();
    Dataset<Row> validation = data.validation();
    long trainRows = data.extraUris().isEmpty() ? manifest.parts().get("train").rows() : train.count();
    ProbabilisticClassifier<?, ?, ?> classifier = Classifiers.create(family, params, seed);

    try (TrackedRun run = tracking.experiment(experimentName).startRun(runName)) {
      run.setTags(Map.of("health_predict.job", "train", "health_predict.model_family", family.name().toLowerCase(),
          "spark_version", spark.version()));
      run.logDatasetInput(SplitDatasetInput.of(splitUri, manifest));
      progress.accept("fitting " + family.name().toLowerCase() + " on " + trainRows + " rows of " + data.describe()
          + "; MLflow run " + run.runId());

      ModelTrainer.Trained trained = new ModelTrainer().fitAndEvaluate(train, validation, family, classifier);

      Map<String, Object> logged = new LinkedHashMap<>();
      logged.put("model_family", family.name().toLowerCase());
      logged.put("data", splitUri);
      logged.putAll(data.extraParams());
      logged.put("data_sha256", manifest.input().sha256());
      logged.putAll(manifest.input().generatorParams());
      logged.put("seed", seed);
      trained.classifierParams().forEach((k, v) -> logged.put("classifier." + k, v));
      run.logParams(logged);
      run.logMetrics(trained.validation().asMap("val_"), 0);
      run.logMetric("fit_seconds", trained.fitSeconds());
      run.logMetric("train_rows", trainRows);
      run.logText(manifest.toJson(), "data/split_manifest.json");
      var metadata = ModelDescription.metadata(family.name(), trained.validation(), manifest, spark.version());
      if (metadata.isPresent()) {
        ModelArtifacts.log(run, trained.model(), metadata.get(), ModelDescription.example(validation));
      } else {
        ModelArtifacts.log(run, trained.model());
      }
      progress.accept("logged the fitted PipelineModel as artifact '" + ModelArtifacts.MODEL + "'");
      run.finish();
      return new Outcome(run.runId(), run.experiment().id(), trained);
    }
  }

}

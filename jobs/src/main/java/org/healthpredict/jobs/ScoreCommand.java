package org.healthpredict.jobs;

import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.healthpredict.core.release.ModelLoader;
import org.healthpredict.core.scoring.BatchScorer;
import org.healthpredict.core.spark.SparkSessions;
import org.healthpredict.core.storage.CommitMarker;
import org.healthpredict.core.tracking.Tracking;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `score`: batch predictions of a registered model for a whole data set. */
@Command(name = "score", mixinStandardHelpOptions = true,
    description = {
        "Scores every encounter of a data set with a model and writes Parquet predictions.",
        "",
        "Output columns: encounter_id, patient_nbr, readmission_probability, predicted_readmitted_binary "
            + "(at the model's decision threshold), model_name, model_version."
    })
final class ScoreCommand implements Callable<Integer> {

  @Option(names = "--model", defaultValue = "models:/HealthPredict@champion", paramLabel = "URI",
      description = "models:/<name>@<alias>, models:/<name>/<version>, runs:/<run id>/model or a model directory "
          + "(default ${DEFAULT-VALUE}).")
  String model;

  @Option(names = "--input", required = true, paramLabel = "URI",
      description = "Encounters in the split's Parquet format (e.g. a split's future or initial/test), any Hadoop URI.")
  String input;

  @Option(names = "--output", required = true, paramLabel = "URI", description = "Output directory; replaced atomically.")
  String output;

  @Mixin
  TrackingOptions tracking;

  @Override
  public Integer call() {
    SparkSession spark = SparkSessions.getOrCreate("health-predict score");
    try (Tracking t = tracking.connect(spark)) {
      ModelLoader.Loaded loaded = new ModelLoader(t).load(model);
      double threshold = loaded.model().metadata().map(m -> m.decisionThreshold()).orElse(0.5);
      CommitMarker.requireComplete(spark.sparkContext().hadoopConfiguration(), input, "the input");
      Dataset<Row> rows = spark.read().parquet(input);
      long written = new BatchScorer(spark).scoreTo(
          new BatchScorer.ScoringModel(loaded.model().pipeline(), threshold, loaded.name(), loaded.version()), rows, output);
      System.out.printf("score: OK model=%s name=%s version=%s threshold=%.4f rows=%d output=%s%n", model,
          loaded.name(), loaded.version(), threshold, written, output);
    }
    return HealthPredictCli.EXIT_OK;
  }
}

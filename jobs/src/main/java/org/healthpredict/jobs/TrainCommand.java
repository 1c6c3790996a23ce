package org.healthpredict.jobs;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.healthpredict.core.evaluation.BinaryMetrics;
import org.healthpredict.core.features.ModelFamily;
import org.healthpredict.core.spark.SparkSessions;
import org.healthpredict.core.tracking.Tracking;
import org.healthpredict.core.training.TrainRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `train`: one model (feature pipeline + classifier) fitted, validated and logged to MLflow. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = {
        "Fits the feature pipeline plus one classifier on a split's train part and logs it to MLflow.",
        "",
        "Evaluates on the validation part (ROC-AUC, PR-AUC, log-loss, Brier, and F1 / precision / "
            + "recall at the F1-optimal threshold) and records params, metrics, the split manifest as the "
            + "run's dataset input and the fitted PipelineModel as the 'model' artifact."
    })
final class TrainCommand implements Callable<Integer> {

  @Option(names = "--data", required = true, paramLabel = "URI",
      description = "Output directory of `split` (holds initial/train, initial/validation, manifest.json). "
          + "Repeat it to add encounters (e.g. batches of next-batch) to the train part: the feature pipeline "
          + "refits on the union; validation and test stay the split's.")
  List<String> data;

  @Option(names = "--model", required = true, paramLabel = "FAMILY",
      description = "Classifier family: ${COMPLETION-CANDIDATES} (case-insensitive).")
  ModelFamily model;

  @Option(names = {"-p", "--param"}, paramLabel = "NAME=VALUE",
      description = "A classifier parameter by its Spark ML name, e.g. -p maxDepth=6 -p stepSize=0.05. Repeatable.")
  Map<String, String> params = new LinkedHashMap<>();

  @Option(names = "--seed", defaultValue = "42", description = "Seed of the classifier (default ${DEFAULT-VALUE}).")
  long seed;

  @Mixin
  TrackingOptions tracking;

  @Option(names = "--experiment", defaultValue = "health-predict",
      description = "MLflow experiment (created if missing; default ${DEFAULT-VALUE}).")
  String experiment;

  @Option(names = "--run-name", paramLabel = "NAME", description = "MLflow run name (default: train-<family>).")
  String runName;

  @Override
  public Integer call() {
    SparkSession spark = SparkSessions.getOrCreate("health-predict train");
    String uri = tracking.uri();
    String family = model.name().toLowerCase();
    try (Tracking t = tracking.connect(spark)) {
      TrainRunner.Outcome outcome = new TrainRunner(spark, line -> System.out.println("train: " + line))
          .run(data, model, params, seed, t, experiment, runName != null ? runName : "train-" + family);
      BinaryMetrics v = outcome.trained().validation();
      System.out.printf("train: OK run=%s model=%s val_roc_auc=%.4f val_pr_auc=%.4f val_f1=%.4f fit=%.1fs ui=%s/#/experiments/%s/runs/%s%n",
          outcome.runId(), family, v.rocAuc(), v.prAuc(), v.f1(), outcome.trained().fitSeconds(),
          uri, outcome.experimentId(), outcome.runId());
    }
    return HealthPredictCli.EXIT_OK;
  }
}

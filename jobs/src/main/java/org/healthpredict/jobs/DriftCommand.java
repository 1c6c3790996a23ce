package org.healthpredict.jobs;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.healthpredict.core.drift.DriftOptions;
import org.healthpredict.core.drift.DriftReport;
import org.healthpredict.core.drift.DriftRunner;
import org.healthpredict.core.drift.DriftTracking;
import org.healthpredict.core.drift.TestChoice;
import org.healthpredict.core.model.MlflowModel;
import org.healthpredict.core.release.ModelLoader;
import org.healthpredict.core.scoring.BatchScorer;
import org.healthpredict.core.spark.SparkSessions;
import org.healthpredict.core.tracking.Tracking;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `drift`: a current batch against a reference, Evidently's data-drift rules on Spark, report + MLflow run. */
@Command(name = "drift", mixinStandardHelpOptions = true,
    description = {
        "Checks a batch of encounters for drift against a reference and writes report.json and report.html.",
        "",
        "Every raw column (but ids and label) and engineered feature is tested with Evidently's data-drift "
            + "rules: reference up to 1,000 rows: KS (numbers with > 5 values), chi-square, or the two-proportion "
            + "z-test (2 values), drift at p < 0.05; larger reference: Wasserstein distance / reference std "
            + "(numbers), Jensen-Shannon distance (categories), drift at >= 0.1. PSI is reported for every feature. "
            + "The data set drifts when at least --drift-share of the features do. With --model, the model's "
            + "probabilities are tested the same way, and, when the batch has labels, its ROC-AUC / PR-AUC / F1 "
            + "are compared with the reference's.",
        "",
        "The run is logged to an MLflow monitoring experiment. The last line printed is DRIFT_DETECTED (data "
            + "set, prediction or performance drift) or NO_DRIFT; both exit with 0."
    },
    footer = {"", "Exit codes: 0 DRIFT_DETECTED or NO_DRIFT (see the last line), 1 failed, 2 usage error, "
        + "3 invalid input (e.g. missing columns, unknown feature in --feature-test)."})
final class DriftCommand implements Callable<Integer> {

  @Option(names = "--reference", required = true, paramLabel = "URI",
      description = "Reference encounters (split Parquet format), e.g. out/split/initial/train.")
  String reference;

  @Option(names = "--current", required = true, paramLabel = "URI",
      description = "The batch to check, e.g. a batch written by next-batch.")
  String current;

  @Option(names = "--report", required = true, paramLabel = "URI",
      description = "Output directory for report.json and report.html; replaced atomically.")
  String report;

  @Option(names = "--model", paramLabel = "URI",
      description = "Model for prediction and performance drift: models:/<name>@<alias>, models:/<name>/<version>, "
          + "runs:/<run id>/model or a model directory. Default: none (data drift only).")
  String model;

  @Option(names = "--performance-reference", paramLabel = "URI",
      description = "Labelled rows the model did not train on, for its baseline quality (default: --reference), "
          + "e.g. out/split/initial/test.")
  String performanceReference;

  @Option(names = "--drift-share", defaultValue = "0.5", paramLabel = "SHARE",
      description = "Data set drift when at least this share of features drift (default ${DEFAULT-VALUE}).")
  double driftShare;

  @Option(names = "--feature-test", paramLabel = "NAME=TEST[:THRESHOLD]",
      description = "Per-feature test instead of the default: ks, chisquare, z, wasserstein, jensenshannon, psi, "
          + "optionally with its threshold, e.g. --feature-test num_medications=psi:0.2. Repeatable.")
  Map<String, String> featureTests = new LinkedHashMap<>();

  @Option(names = "--performance-metric", defaultValue = "roc_auc", paramLabel = "METRIC",
      description = "roc_auc, pr_auc or f1: the metric whose drop flags performance drift (default ${DEFAULT-VALUE}).")
  String performanceMetric;

  @Option(names = "--performance-drop", defaultValue = "0.05", paramLabel = "X",
      description = "Performance drift when the metric falls by more than X (absolute; default ${DEFAULT-VALUE}).")
  double performanceDrop;

  @Mixin
  TrackingOptions tracking;

  @Option(names = "--experiment", defaultValue = DriftTracking.DEFAULT_EXPERIMENT,
      description = "MLflow monitoring experiment (default ${DEFAULT-VALUE}).")
  String experiment;

  @Option(names = "--no-tracking", description = "Do not log to MLflow (a --model from the registry still needs it).")
  boolean noTracking;

  @Option(names = "--export-features", paramLabel = "URI",
      description = "Also write the monitored features of both sides as the tests saw them (Parquet under "
          + "URI/reference and URI/current), e.g. to check the report with Evidently.")
  String exportFeatures;

  @Override
  public Integer call() {
    Map<String, TestChoice> overrides = new LinkedHashMap<>();
    featureTests.forEach((feature, test) -> overrides.put(feature, TestChoice.parse(feature, test)));
    DriftOptions options = DriftOptions.EVIDENTLY_DEFAULTS.withDriftShare(driftShare).withOverrides(overrides)
        .withPerformance(performanceMetric, performanceDrop);
    SparkSession spark = SparkSessions.getOrCreate("health-predict drift");
    DriftRunner runner = new DriftRunner(spark, line -> System.out.println("drift: " + line));
    DriftRunner.Inputs inputs = new DriftRunner.Inputs(reference, current, performanceReference);
    if (exportFeatures != null) {
      runner.exportMonitored(inputs, exportFeatures);
    }
    if (noTracking) {
      Optional<DriftRunner.Model> scoring = model == null ? Optional.empty() : Optional.of(modelDirectory());
      print(runner.run(inputs, scoring, options, report).report(), null);
      return HealthPredictCli.EXIT_OK;
    }
    try (Tracking t = tracking.connect(spark)) {
      Optional<DriftRunner.Model> scoring = model == null ? Optional.empty()
          : Optional.of(scoring(new ModelLoader(t).load(model)));
      DriftRunner.Outcome outcome = runner.run(inputs, scoring, options, report);
      String runId = DriftTracking.log(t, experiment, outcome.report(), outcome.json(), outcome.html());
      print(outcome.report(), tracking.uri() + " run " + runId);
    }
    return HealthPredictCli.EXIT_OK;
  }

  /** Without MLflow only a model directory can be loaded; registry and run URIs need the server. */
  private DriftRunner.Model modelDirectory() {
    if (model.startsWith("models:") || model.startsWith("runs:")) {
      throw new IllegalArgumentException("--model " + model + " is looked up in MLflow; drop --no-tracking or give "
          + "a model directory");
    }
    return scoring(new ModelLoader.Loaded(MlflowModel.load(model), "directory", model, null));
  }

  private DriftRunner.Model scoring(ModelLoader.Loaded loaded) {
    double threshold = loaded.model().metadata().map(m -> m.decisionThreshold()).orElse(0.5);
    return new DriftRunner.Model(model,
        new BatchScorer.ScoringModel(loaded.model().pipeline(), threshold, loaded.name(), loaded.version()));
  }

  private void print(DriftReport r, String mlflow) {
    System.out.printf("drift: OK features=%d drifted=%d share=%.3f dataset_drift=%s prediction_drift=%s "
            + "performance_drift=%s report=%s/%s%s%n", r.testedFeatures(), r.driftedFeatures(), r.shareDrifted(),
        r.datasetDrift(), r.prediction() == null ? "n/a" : r.predictionDrift(),
        r.performance() == null ? "n/a" : r.performanceDrift(), report.replaceAll("/+$", ""), DriftRunner.HTML_FILE,
        mlflow == null ? "" : " mlflow=" + mlflow);
    System.out.println(r.status());
  }
}

package org.healthpredict.core.drift;

import java.util.LinkedHashMap;
import java.util.Map;
import org.healthpredict.core.tracking.TrackedRun;
import org.healthpredict.core.tracking.Tracking;

/**
 * Records a drift report as a run of the MLflow monitoring experiment: the inputs and rules as params,
 * the verdicts and per-feature scores as metrics, and both report files as artifacts.
 */
public final class DriftTracking {

  public static final String DEFAULT_EXPERIMENT = "health-predict-monitoring";
  public static final String ARTIFACT_DIR = "drift";

  private DriftTracking() {}

  /** Logs the report in a new run and returns its id. */
  public static String log(Tracking tracking, String experiment, DriftReport report, String json, String html) {
    try (TrackedRun run = tracking.experiment(experiment).startRun("drift " + lastSegment(report.current().uri()))) {
      run.setTags(Map.of("health_predict.job", "drift", "health_predict.drift_status", report.status()));
      Map<String, Object> params = new LinkedHashMap<>();
      params.put("reference", report.reference().uri());
      params.put("current", report.current().uri());
      params.put("reference_rows", report.reference().rows());
      params.put("current_rows", report.current().rows());
      params.put("model_uri", report.model() == null ? "none" : report.model().uri());
      params.put("model_version", report.model() == null ? "none" : report.model().name() + "/" + report.model().version());
      params.put("drift_share", report.options().driftShare());
      params.put("performance_metric", report.options().performanceMetric());
      params.put("performance_drop", report.options().performanceDrop());
      report.options().overrides().forEach((name, choice) ->
          params.put("test." + name, choice.test().key() + ":" + choice.thresholdOrDefault()));
      run.logParams(params);
      run.logMetrics(metrics(report), 0);
      run.logText(json, ARTIFACT_DIR + "/report.json");
      run.logText(html, ARTIFACT_DIR + "/report.html");
      run.finish();
      return run.runId();
    }
  }

  static Map<String, Double> metrics(DriftReport report) {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("share_drifted_features", report.shareDrifted());
    m.put("drifted_features", (double) report.driftedFeatures());
    m.put("tested_features", (double) report.testedFeatures());
    m.put("dataset_drift", report.datasetDrift() ? 1.0 : 0.0);
    for (FeatureDrift f : report.features()) {
      if (f.tested()) {
        m.put("drift_score." + f.feature().name(), f.score());
        m.put("psi." + f.feature().name(), f.psi());
      }
    }
    if (report.prediction() != null && report.prediction().tested()) {
      m.put("prediction_drift", report.predictionDrift() ? 1.0 : 0.0);
      m.put("prediction_drift_score", report.prediction().score());
    }
    if (report.performance() != null) {
      PerformanceDrift p = report.performance();
      m.put("performance_drift", p.drifted() ? 1.0 : 0.0);
      p.reference().forEach((k, v) -> m.put("reference_" + k, v));
      p.current().forEach((k, v) -> m.put("current_" + k, v));
    }
    return m;
  }

  private static String lastSegment(String uri) {
    String trimmed = uri.replaceAll("/+$", "");
    return trimmed.substring(trimmed.lastIndexOf('/') + 1);
  }
}

package org.healthpredict.core.drift;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code report.json}: the summary first, then every feature with its type, test, statistic,
 * p-value or distance, threshold and verdict. JSON has no NaN: values that do not apply are null.
 */
public final class DriftReportJson {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private DriftReportJson() {}

  public static String write(DriftReport report) {
    try {
      return JSON.writeValueAsString(asMap(report));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the drift report as JSON", e);
    }
  }

  static Map<String, Object> asMap(DriftReport r) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("created_at", r.createdAt());
    out.put("summary", summary(r));
    out.put("reference", Map.of("uri", r.reference().uri(), "rows", r.reference().rows()));
    out.put("current", Map.of("uri", r.current().uri(), "rows", r.current().rows()));
    out.put("model", r.model() == null ? null
        : Map.of("uri", r.model().uri(), "name", r.model().name(), "version", r.model().version()));
    out.put("rules", rules(r.options()));
    out.put("prediction", r.prediction() == null ? null : feature(r.prediction()));
    out.put("performance", r.performance() == null ? null : performance(r.performance()));
    List<Map<String, Object>> features = new ArrayList<>();
    r.features().forEach(f -> features.add(feature(f)));
    out.put("features", features);
    out.put("notes", r.notes());
    return out;
  }

  private static Map<String, Object> summary(DriftReport r) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("status", r.status());
    s.put("dataset_drift", r.datasetDrift());
    s.put("tested_features", r.testedFeatures());
    s.put("drifted_features", r.driftedFeatures());
    s.put("share_drifted", r.shareDrifted());
    s.put("drift_share_threshold", r.options().driftShare());
    s.put("drifted", r.features().stream().filter(FeatureDrift::drifted).map(f -> f.feature().name()).toList());
    s.put("prediction_drift", r.prediction() == null ? null : r.predictionDrift());
    s.put("performance_drift", r.performance() == null ? null : r.performanceDrift());
    return s;
  }

  private static Map<String, Object> rules(DriftOptions o) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("drift_share", o.driftShare());
    m.put("small_reference_rows", o.smallReferenceRows());
    Map<String, Object> overrides = new LinkedHashMap<>();
    o.overrides().forEach((name, choice) -> overrides.put(name,
        Map.of("test", choice.test().key(), "threshold", choice.thresholdOrDefault())));
    m.put("overrides", overrides);
    m.put("performance_metric", o.performanceMetric());
    m.put("performance_drop", o.performanceDrop());
    return m;
  }

  static Map<String, Object> feature(FeatureDrift f) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", f.feature().name());
    m.put("source", f.feature().source());
    m.put("type", f.feature().kind().label());
    m.put("test", f.tested() ? f.test().key() : null);
    m.put("statistic", number(f.statistic()));
    m.put("p_value", number(f.pValue()));
    m.put("distance", f.tested() && !f.test().isPValue() ? number(f.score()) : null);
    m.put("score", number(f.score()));
    m.put("threshold", number(f.threshold()));
    m.put("drifted", f.drifted());
    m.put("psi", number(f.psi()));
    m.put("psi_band", f.psiBand());
    m.put("reference_rows", f.referenceRows());
    m.put("current_rows", f.currentRows());
    m.put("reference_missing", f.referenceMissing());
    m.put("current_missing", f.currentMissing());
    m.put("distinct_values", f.distinctValues());
    m.put("chart", f.chart() == null ? null : f.chart().asMap());
    m.put("note", f.note());
    return m;
  }

  private static Map<String, Object> performance(PerformanceDrift p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("metric", p.metric());
    m.put("reference", p.reference());
    m.put("current", p.current());
    m.put("drop", number(p.drop()));
    m.put("threshold", p.threshold());
    m.put("drifted", p.drifted());
    return m;
  }

  /** Infinity (a chi-square with a category the reference never saw) is written as a string, NaN as null. */
  private static Object number(double v) {
    if (Double.isNaN(v)) {
      return null;
    }
    return Double.isInfinite(v) ? (v > 0 ? "Infinity" : "-Infinity") : v;
  }
}

package org.healthpredict.core.drift;

import java.util.Comparator;
import java.util.List;

/**
 * A drift report: what was compared, every feature's verdict (most drifted first), prediction and
 * performance drift where a model was given, and the overall status a scheduler branches on.
 *
 * @param createdAt ISO-8601 instant
 * @param reference the reference data (usually the model's training data)
 * @param current the batch checked
 * @param model the scoring model, or null when none was given
 * @param options the rules applied
 * @param features per-feature verdicts, ranked by how far past their threshold
 * @param prediction drift of the model's probability; null without a model
 * @param performance quality drop; null without a model or without labels on both sides
 * @param notes anything a reader should know (e.g. why performance was not compared)
 */
public record DriftReport(
    String createdAt,
    Data reference,
    Data current,
    Model model,
    DriftOptions options,
    List<FeatureDrift> features,
    FeatureDrift prediction,
    PerformanceDrift performance,
    List<String> notes) {

  public static final String DRIFT_DETECTED = "DRIFT_DETECTED";
  public static final String NO_DRIFT = "NO_DRIFT";

  /** A data set by URI and row count. */
  public record Data(String uri, long rows) {}

  /** The model by the URI it was loaded from, and its registered name and version. */
  public record Model(String uri, String name, String version) {}

  public DriftReport {
    features = features.stream()
        .sorted(Comparator.comparing(FeatureDrift::drifted).reversed()
            .thenComparing(Comparator.comparingDouble(FeatureDrift::severity).reversed())
            .thenComparing(f -> f.feature().name()))
        .toList();
    notes = List.copyOf(notes);
  }

  /** Features a test could run on (those with values on both sides). */
  public long testedFeatures() {
    return features.stream().filter(FeatureDrift::tested).count();
  }

  public long driftedFeatures() {
    return features.stream().filter(FeatureDrift::drifted).count();
  }

  public double shareDrifted() {
    long tested = testedFeatures();
    return tested == 0 ? 0 : (double) driftedFeatures() / tested;
  }

  /** Evidently's dataset drift: at least the configured share of features drifted. */
  public boolean datasetDrift() {
    return testedFeatures() > 0 && shareDrifted() >= options.driftShare();
  }

  public boolean predictionDrift() {
    return prediction != null && prediction.drifted();
  }

  public boolean performanceDrift() {
    return performance != null && performance.drifted();
  }

  /** DRIFT_DETECTED when the data set, the model's predictions or its quality drifted; else NO_DRIFT. */
  public String status() {
    return datasetDrift() || predictionDrift() || performanceDrift() ? DRIFT_DETECTED : NO_DRIFT;
  }
}

package org.healthpredict.core.drift;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The decision rules of a drift report: Evidently's data-drift preset by default, with per-feature
 * test overrides, the share of drifted features that makes the data set drift, and the drop in
 * model quality that counts as performance drift.
 *
 * @param driftShare data set drift when at least this share of tested features drift (Evidently: 0.5)
 * @param smallReferenceRows references up to this many rows get hypothesis tests, larger ones distances (1,000)
 * @param overrides per-feature test (and threshold) instead of the default choice
 * @param performanceMetric roc_auc, pr_auc or f1: the metric whose drop flags performance drift
 * @param performanceDrop performance drift when the metric falls by more than this (absolute)
 */
public record DriftOptions(double driftShare, long smallReferenceRows, Map<String, TestChoice> overrides,
    String performanceMetric, double performanceDrop) {

  public static final DriftOptions EVIDENTLY_DEFAULTS = new DriftOptions(0.5, 1000, Map.of(), "roc_auc", 0.05);

  public DriftOptions {
    if (!(driftShare > 0 && driftShare <= 1)) {
      throw new IllegalArgumentException("drift share must be in (0, 1], got " + driftShare);
    }
    if (smallReferenceRows < 0) {
      throw new IllegalArgumentException("small reference rows must not be negative, got " + smallReferenceRows);
    }
    if (!PerformanceDrift.METRICS.contains(performanceMetric)) {
      throw new IllegalArgumentException("performance metric must be one of " + PerformanceDrift.METRICS
          + ", got '" + performanceMetric + "'");
    }
    if (!(performanceDrop >= 0)) {
      throw new IllegalArgumentException("performance drop must not be negative, got " + performanceDrop);
    }
    overrides = Map.copyOf(new LinkedHashMap<>(overrides));
  }

  public DriftOptions withDriftShare(double share) {
    return new DriftOptions(share, smallReferenceRows, overrides, performanceMetric, performanceDrop);
  }

  public DriftOptions withOverrides(Map<String, TestChoice> choices) {
    return new DriftOptions(driftShare, smallReferenceRows, choices, performanceMetric, performanceDrop);
  }

  public DriftOptions withPerformance(String metric, double drop) {
    return new DriftOptions(driftShare, smallReferenceRows, overrides, metric, drop);
  }

  /**
   * Evidently's default test ({@code get_default_stattest}): with a small reference, KS for numbers with
   * more than 5 distinct values, else chi-square, or the z-test for at most 2 values; with a larger
   * reference, the normed Wasserstein distance for such numbers, else Jensen–Shannon. Distinct values
   * are counted over both sides together, as Evidently does.
   */
  public DriftTest defaultTest(FeatureKind kind, long referenceRows, int distinctValues) {
    boolean manyNumbers = kind == FeatureKind.NUMERICAL && distinctValues > 5;
    if (referenceRows <= smallReferenceRows) {
      if (manyNumbers) {
        return DriftTest.KS;
      }
      return distinctValues > 2 ? DriftTest.CHI_SQUARE : DriftTest.Z;
    }
    return manyNumbers ? DriftTest.WASSERSTEIN : DriftTest.JENSEN_SHANNON;
  }

  /** The test and threshold for one feature: its override if given, else the default rule. */
  public TestChoice choose(String feature, FeatureKind kind, long referenceRows, int distinctValues) {
    TestChoice override = overrides.get(feature);
    if (override != null) {
      if (!override.test().appliesTo(kind)) {
        throw new IllegalArgumentException("feature '" + feature + "' is " + kind.label() + "; the "
            + override.test().key() + " test needs numbers");
      }
      return override;
    }
    return new TestChoice(defaultTest(kind, referenceRows, distinctValues), null);
  }
}

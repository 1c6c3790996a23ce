package org.healthpredict.core.drift;

/**
 * The verdict on one feature: which test ran, its statistic and score (the p-value of a hypothesis
 * test, else the distance), the threshold, whether it drifted, and PSI alongside.
 *
 * @param feature the monitored column
 * @param test the test that decided; null when the feature could not be tested
 * @param statistic the test statistic (D, χ², z, or the distance itself)
 * @param pValue the p-value of a hypothesis test; NaN for distances
 * @param score what the threshold is compared with: the p-value or the distance
 * @param psi population stability index on reference-decile (or category) bins
 * @param referenceRows rows with a value in the reference
 * @param currentRows rows with a value in the current batch
 * @param distinctValues distinct values over both sides
 * @param chart reference vs current shares for the report; null when untested
 * @param note why a feature was not tested; null otherwise
 */
public record FeatureDrift(
    MonitoredFeature feature,
    DriftTest test,
    double statistic,
    double pValue,
    double score,
    double threshold,
    boolean drifted,
    double psi,
    long referenceRows,
    long currentRows,
    long referenceMissing,
    long currentMissing,
    int distinctValues,
    Chart chart,
    String note) {

  /** PSI's customary bands: below 0.1 no significant change, up to 0.25 moderate, above significant. */
  public String psiBand() {
    if (Double.isNaN(psi)) {
      return "n/a";
    }
    return psi < 0.1 ? "stable" : psi < 0.25 ? "moderate" : "significant";
  }

  public boolean tested() {
    return test != null;
  }

  /** For ranking the report's table: how far past its threshold (above 1 is drifted). */
  public double severity() {
    return tested() ? test.severity(score, threshold) : 0;
  }

  static FeatureDrift untested(MonitoredFeature feature, FeatureDistribution d, String note) {
    return new FeatureDrift(feature, null, Double.NaN, Double.NaN, Double.NaN, Double.NaN, false, Double.NaN,
        d.reference().total(), d.current().total(), d.referenceMissing(), d.currentMissing(), d.distinctValues(),
        null, note);
  }
}

package org.healthpredict.core.drift;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The drift tests a feature can be checked with, under Evidently's names, each with its default
 * threshold and its sense: a p-value drifts below the threshold, a distance at or above it
 * (Evidently's {@code >=}).
 */
public enum DriftTest {
  KS("ks", "Kolmogorov–Smirnov", true, 0.05, true),
  CHI_SQUARE("chisquare", "chi-square", true, 0.05, false),
  Z("z", "two-proportion z-test", true, 0.05, false),
  WASSERSTEIN("wasserstein", "Wasserstein distance (normed)", false, 0.1, true),
  JENSEN_SHANNON("jensenshannon", "Jensen–Shannon distance", false, 0.1, false),
  PSI("psi", "population stability index", false, 0.1, false);

  private final String key;
  private final String title;
  private final boolean pValue;
  private final double defaultThreshold;
  private final boolean numericalOnly;

  DriftTest(String key, String title, boolean pValue, double defaultThreshold, boolean numericalOnly) {
    this.key = key;
    this.title = title;
    this.pValue = pValue;
    this.defaultThreshold = defaultThreshold;
    this.numericalOnly = numericalOnly;
  }

  /** The name in reports, options and MLflow (Evidently's stattest name). */
  public String key() {
    return key;
  }

  public String title() {
    return title;
  }

  /** Whether the score is a p-value (drift when below the threshold) rather than a distance. */
  public boolean isPValue() {
    return pValue;
  }

  public double defaultThreshold() {
    return defaultThreshold;
  }

  public boolean appliesTo(FeatureKind kind) {
    return !numericalOnly || kind == FeatureKind.NUMERICAL;
  }

  public boolean drifted(double score, double threshold) {
    return pValue ? score < threshold : score >= threshold;
  }

  /** How far past its threshold a score is (above 1 means drifted), to rank features of different tests. */
  public double severity(double score, double threshold) {
    if (pValue) {
      return threshold / Math.max(score, Double.MIN_NORMAL);
    }
    return score / threshold;
  }

  public static DriftTest parse(String text) {
    String wanted = text.trim().toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
    return Arrays.stream(values())
        .filter(t -> t.key.equals(wanted) || t.name().replace("_", "").toLowerCase(Locale.ROOT).equals(wanted))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown drift test '" + text + "'; expected one of "
            + Arrays.stream(values()).map(DriftTest::key).collect(Collectors.joining(", "))));
  }
}

package org.healthpredict.core.drift;

/**
 * A per-feature override of the test Evidently's rules would pick, and optionally its threshold,
 * written on the command line as {@code NAME=TEST[:THRESHOLD]}, e.g. {@code age=psi:0.2}.
 *
 * @param test the test to run
 * @param threshold the drift threshold; null for the test's default
 */
public record TestChoice(DriftTest test, Double threshold) {

  public double thresholdOrDefault() {
    return threshold != null ? threshold : test.defaultThreshold();
  }

  /** Parses the value part {@code TEST[:THRESHOLD]}; {@code feature} names the option in errors. */
  public static TestChoice parse(String feature, String text) {
    String[] parts = text.split(":", -1);
    if (parts.length > 2 || parts[0].isBlank()) {
      throw new IllegalArgumentException("test for feature '" + feature + "': expected TEST[:THRESHOLD], e.g. "
          + "psi:0.2, found '" + text + "'");
    }
    DriftTest test = DriftTest.parse(parts[0]);
    Double threshold = null;
    if (parts.length == 2) {
      try {
        threshold = Double.parseDouble(parts[1]);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("test for feature '" + feature + "': threshold '" + parts[1]
            + "' is not a number");
      }
      if (!(threshold > 0) || (test.isPValue() && threshold >= 1)) {
        throw new IllegalArgumentException("test for feature '" + feature + "': threshold " + threshold
            + (test.isPValue() ? " must be a p-value in (0, 1)" : " must be positive"));
      }
    }
    return new TestChoice(test, threshold);
  }
}

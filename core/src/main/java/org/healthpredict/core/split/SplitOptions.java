package org.healthpredict.core.split;

/**
 * How raw encounters are divided: the oldest {@code initialFraction} (by encounter_id, the data's time
 * order) is the initial data, split by patient into train / validation / test; the rest is future data.
 */
public record SplitOptions(double initialFraction, double trainFraction, double validationFraction, long seed) {

  public static final SplitOptions DEFAULTS = new SplitOptions(0.20, 0.70, 0.15, 42L);

  public SplitOptions {
    if (initialFraction <= 0 || initialFraction > 1) {
      throw new IllegalArgumentException("initial fraction must be in (0, 1], got " + initialFraction);
    }
    // PatientAssignment validates the train/validation fractions.
    new PatientAssignment(trainFraction, validationFraction, seed);
  }

  public double testFraction() {
    return 1.0 - trainFraction - validationFraction;
  }

  public PatientAssignment patientAssignment() {
    return new PatientAssignment(trainFraction, validationFraction, seed);
  }
}

package org.healthpredict.core.split;

import java.io.Serializable;

/**
 * Assigns a patient to train, validation or test from a hash of the patient number and a seed, so
 * every encounter of a patient lands in the same part, independently of row order or partitioning.
 */
public final class PatientAssignment implements Serializable {

  private static final long serialVersionUID = 1L;

  public static final String TRAIN = "train";
  public static final String VALIDATION = "validation";
  public static final String TEST = "test";

  private final double trainFraction;
  private final double validationFraction;
  private final long seed;

  public PatientAssignment(double trainFraction, double validationFraction, long seed) {
    if (trainFraction <= 0 || validationFraction < 0 || trainFraction + validationFraction > 1.0 + 1e-9) {
      throw new IllegalArgumentException("fractions must satisfy 0 < train, 0 <= validation, train + validation <= 1; got "
          + trainFraction + " and " + validationFraction);
    }
    this.trainFraction = trainFraction;
    this.validationFraction = validationFraction;
    this.seed = seed;
  }

  public String partOf(long patientNbr) {
    double u = uniform(patientNbr, seed);
    if (u < trainFraction) {
      return TRAIN;
    }
    return u < trainFraction + validationFraction ? VALIDATION : TEST;
  }

  /** A uniform number in [0, 1) from SplitMix64 of the patient number mixed with the seed. */
  static double uniform(long patientNbr, long seed) {
    long z = patientNbr * 0x9E3779B97F4A7C15L + seed;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    z = z ^ (z >>> 31);
    return (z >>> 11) * 0x1.0p-53;
  }
}

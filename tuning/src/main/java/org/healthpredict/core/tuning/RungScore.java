package org.healthpredict.core.tuning;

/**
 * A trial's score at one rung: the mean of its metric over the cross-validation folds the rung
 * evaluates, the standard error of that mean, how many folds it rests on, whether the predictions
 * were degenerate, and the fitted model's size (its count of fitted parameters or tree nodes; NaN
 * when unknown), which the one-standard-error rule uses to prefer the simpler of near-equal trials.
 */
public record RungScore(double mean, double standardError, int folds, boolean degenerate, double complexity) {

  public RungScore {
    if (!Double.isFinite(mean)) {
      throw new IllegalArgumentException("a rung score must be a finite number, found " + mean
          + "; report a failure instead");
    }
    if (folds < 1) {
      throw new IllegalArgumentException("a rung score rests on at least one fold, found " + folds);
    }
  }

  /** A single validation score: no standard error, not degenerate, size unknown. */
  public static RungScore of(double metric) {
    return new RungScore(metric, Double.NaN, 1, false, Double.NaN);
  }

  /** Mean and standard error of the per-fold values (the sample standard deviation over √k). */
  public static RungScore ofFolds(double[] perFold, boolean degenerate, double complexity) {
    int k = perFold.length;
    double mean = 0;
    for (double v : perFold) {
      mean += v / k;
    }
    double squares = 0;
    for (double v : perFold) {
      squares += (v - mean) * (v - mean);
    }
    double se = k < 2 ? Double.NaN : Math.sqrt(squares / (k - 1) / k);
    return new RungScore(mean, se, k, degenerate, complexity);
  }
}

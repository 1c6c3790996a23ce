package org.healthpredict.core.evaluation;

import java.util.Arrays;

/**
 * Whether a trial's predictions are degenerate, so that it is never ranked, promoted or chosen: on some
 * fold at least {@link #CONSTANT_SHARE} of the rows get the very same probability (a constant model, e.g.
 * a heavily regularised regression or a forest with no split), or, at the full resource, its mean
 * ROC-AUC is not clearly above chance: within two null standard errors of 0.5, where the standard error
 * of ROC-AUC for a random ranking of P positives and N negatives is √((P + N + 1) / (12·P·N)).
 */
public final class DegenerateCheck {

  /** Share of identical predictions that makes a fold's model constant for practical purposes. */
  public static final double CONSTANT_SHARE = 0.99;

  private DegenerateCheck() {}

  /** The largest share of rows that share one predicted probability. */
  public static double largestTie(double[] probability) {
    if (probability.length == 0) {
      return 0;
    }
    double[] sorted = probability.clone();
    Arrays.sort(sorted);
    int best = 1;
    int run = 1;
    for (int i = 1; i < sorted.length; i++) {
      run = sorted[i] == sorted[i - 1] ? run + 1 : 1;
      best = Math.max(best, run);
    }
    return (double) best / sorted.length;
  }

  public static boolean nearConstant(ScoredPairs fold) {
    return largestTie(fold.probability()) >= CONSTANT_SHARE;
  }

  /** The ROC-AUC a model must exceed to count as better than chance on P positives and N negatives. */
  public static double chanceBar(long positives, long negatives) {
    double se = Math.sqrt((positives + negatives + 1.0) / (12.0 * positives * negatives));
    return 0.5 + 2 * se;
  }
}

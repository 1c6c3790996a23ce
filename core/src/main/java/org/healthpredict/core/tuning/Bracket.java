package org.healthpredict.core.tuning;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One ASHA bracket as in Ray Tune's {@code _Bracket}: the scores recorded at each rung, and the
 * promotion cutoff at the (1 - 1/η) quantile of them. Scores are "larger is better"; the scheduler
 * negates metrics that improve downwards.
 */
final class Bracket {

  private final double eta;
  private final List<List<Double>> rungs = new ArrayList<>();

  Bracket(double eta) {
    this.eta = eta;
  }

  /**
   * Records a score at a rung and returns the cutoff over the rung's scores so far, this one included:
   * the score is promotable when it is at least the cutoff. With one score the cutoff is that score,
   * so the first arrival at a rung is always promoted; nobody waits for the rung to fill.
   */
  double record(int rung, double score) {
    while (rungs.size() <= rung) {
      rungs.add(new ArrayList<>());
    }
    List<Double> recorded = rungs.get(rung);
    recorded.add(score);
    return cutoff(recorded, eta);
  }

  /**
   * The (1 - 1/η) quantile with linear interpolation between order statistics (Hyndman and Fan type 7,
   * numpy's default, which Ray's {@code np.nanpercentile} uses): for sorted x₀..xₙ₋₁ and h = (n-1)(1-1/η),
   * x⌊h⌋ + (h - ⌊h⌋)(x⌊h⌋₊₁ - x⌊h⌋). h is computed as (n-1)(η-1)/η so that whole h stay exact and a
   * tie with an order statistic is promoted.
   */
  static double cutoff(List<Double> scores, double eta) {
    double[] x = scores.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(x);
    double h = (x.length - 1) * (eta - 1) / eta;
    int lo = (int) Math.floor(h);
    if (lo >= x.length - 1) {
      return x[x.length - 1];
    }
    return x[lo] + (h - lo) * (x[lo + 1] - x[lo]);
  }
}

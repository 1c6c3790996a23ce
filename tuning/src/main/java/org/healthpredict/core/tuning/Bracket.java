package org.healthpredict.core.tuning;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * One ASHA bracket as in Ray Tune's {@code _Bracket}: the results recorded at each rung, the
 * immediate promotion cutoff at the (1 - 1/η) quantile of them, and the paper's top ⌊n/η⌋. Scores are
 * "larger is better"; the scheduler negates metrics that improve downwards.
 */
final class Bracket {

  /** One recorded result; the list index in its rung is its arrival order. */
  private record Entry(int trialId, double score) {}

  private final double eta;
  private final List<List<Entry>> rungs = new ArrayList<>();

  Bracket(double eta) {
    this.eta = eta;
  }

  /**
   * Records a trial's score at a rung and returns the cutoff over the rung's scores so far, this one
   * included: the score is promotable at once when it is at least the cutoff. With one score the
   * cutoff is that score, so the first arrival at a rung is always promoted; nobody waits for the rung
   * to fill.
   */
  double record(int rung, int trialId, double score) {
    while (rungs.size() <= rung) {
      rungs.add(new ArrayList<>());
    }
    List<Entry> recorded = rungs.get(rung);
    recorded.add(new Entry(trialId, score));
    return cutoff(recorded.stream().map(Entry::score).toList(), eta);
  }

  /**
   * The paper's top_k(rung, ⌊n/η⌋): the trials of the best ⌊n/η⌋ of the n results at a rung, best
   * first; of equal scores the earlier result ranks higher, so the order never depends on a sort's
   * whims. Empty while the rung holds fewer than η results.
   */
  List<Integer> top(int rung) {
    List<Integer> ranked = ranked(rung);
    // The epsilon keeps ⌊9/3⌋ = 3 when n/η lands a hair below a whole number in floating point.
    int k = (int) Math.floor(ranked.size() / eta + 1e-9);
    return ranked.subList(0, k);
  }

  /** Every trial with a result at a rung, best first, of equal scores the earlier result first. */
  List<Integer> ranked(int rung) {
    if (rung >= rungs.size()) {
      return List.of();
    }
    return rungs.get(rung).stream()
        .sorted(Comparator.comparingDouble(Entry::score).reversed())  // a stable sort: ties keep arrival order
        .map(Entry::trialId)
        .toList();
  }

  /** The lowest score in {@link #top}: the bar a result at that rung must reach now; NaN while top is empty. */
  double topCutoff(int rung) {
    List<Integer> top = top(rung);
    if (top.isEmpty()) {
      return Double.NaN;
    }
    int last = top.get(top.size() - 1);
    return rungs.get(rung).stream().filter(e -> e.trialId() == last).findFirst().orElseThrow().score();
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

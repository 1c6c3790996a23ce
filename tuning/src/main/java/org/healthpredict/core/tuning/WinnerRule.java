package org.healthpredict.core.tuning;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * How the sweep's winner is picked among the trials that completed at the full resource.
 *
 * <p>Cross-validated means of good configurations often differ by less than their standard errors,
 * so the single best mean is partly luck. {@link #ONE_STANDARD_ERROR} (the default; Hastie,
 * Tibshirani and Friedman's rule) takes every completed trial of the best one's family whose mean is
 * within one standard error of the best one's and, of those, the simplest: the smallest fitted model
 * (fewest non-zero coefficients, or fewest tree nodes), ties broken by the better mean, then the
 * earlier trial. Sizes are compared within a family only: a forest's nodes and a regression's
 * coefficients are not the same currency, and a smaller model of a weaker family is no safer choice.
 * {@link #BEST} takes the best mean.
 */
public enum WinnerRule {
  BEST,
  ONE_STANDARD_ERROR;

  /**
   * @param completed results at the top rung (decision COMPLETE); degenerate trials never complete
   * @param maximize whether a larger metric is better
   */
  public Optional<TrialEvent.Result> choose(List<TrialEvent.Result> completed, boolean maximize) {
    Comparator<TrialEvent.Result> better = Comparator
        .comparingDouble((TrialEvent.Result r) -> -oriented(r.metric(), maximize))
        .thenComparingInt(TrialEvent.Result::trialId);
    Optional<TrialEvent.Result> best = completed.stream().min(better);
    if (this == BEST || best.isEmpty()) {
      return best;
    }
    double se = best.get().score().standardError();
    double bar = oriented(best.get().metric(), maximize) - (Double.isNaN(se) ? 0 : se);
    return completed.stream()
        .filter(r -> r.family().equals(best.get().family()) && oriented(r.metric(), maximize) >= bar)
        .min(Comparator.comparingDouble((TrialEvent.Result r) -> complexity(r)).thenComparing(better));
  }

  private static double complexity(TrialEvent.Result r) {
    double c = r.score().complexity();
    return Double.isNaN(c) ? Double.POSITIVE_INFINITY : c;
  }

  private static double oriented(double metric, boolean maximize) {
    return maximize ? metric : -metric;
  }
}

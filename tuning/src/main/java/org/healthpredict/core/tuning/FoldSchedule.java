package org.healthpredict.core.tuning;

/**
 * How many cross-validation folds a rung evaluates: folds are a fidelity like iterations or trees.
 * {@link Policy#GROW} (the default) evaluates 2 folds at rung 0 and adds folds evenly up to all k at
 * the top rung (k = 5 over four rungs: 2, 3, 4, 5), so the many trials of the low rungs cost 2 fits
 * each while the few that reach R are judged on every fold. {@link Policy#ALL} evaluates all k at every
 * rung. Trials at the same rung always share the same folds (the first ones), so they stay comparable.
 */
public record FoldSchedule(int folds, Policy policy) {

  public enum Policy { GROW, ALL }

  public FoldSchedule {
    if (folds < 2) {
      throw new IllegalArgumentException("cross-validation needs at least 2 folds, found " + folds);
    }
  }

  /** The folds evaluated at {@code rung} of a ladder with {@code rungs} rungs. */
  public int foldsAt(int rung, int rungs) {
    if (policy == Policy.ALL || rungs < 2) {
      return folds;
    }
    return Math.min(folds, 2 + (int) Math.round((folds - 2) * rung / (double) (rungs - 1)));
  }
}

package org.healthpredict.core.tuning;

import java.time.Instant;
import java.util.Objects;

/**
 * The settings of an ASHA sweep: which way the metric improves, the reduction factor η, the number
 * of brackets, the budget (a number of trials, a wall-clock deadline, or both), and when a trial is
 * promoted.
 *
 * @param eta reduction factor: about 1/η of the trials at a rung go on to the next, each with η times the resource
 * @param brackets 1 for plain ASHA; s > 1 runs brackets whose trials start s - 1 rungs higher, as in Ray Tune
 * @param maxTrials how many trials may start, or {@link #UNLIMITED}
 * @param deadline after this instant no trial starts or continues; null for none
 * @param promotion the paper's rule (a trial waits and is promoted later) or Ray Tune's (decided at once)
 */
public record AshaConfig(Mode mode, double eta, int brackets, int maxTrials, Instant deadline, Promotion promotion) {

  /** Whether a larger or a smaller metric is better. */
  public enum Mode { MAX, MIN }

  /** When a result below the top rung leads to a promotion; see {@link AshaScheduler}. */
  public enum Promotion {
    /**
     * Li et al., MLSys 2020, Algorithm 2: the trial waits at its rung; a free worker promotes a waiting
     * trial once it is in the top ⌊n/η⌋ of the n results at its rung.
     */
    PAPER,
    /** Ray Tune's ASHAScheduler: at or above the (1 - 1/η) quantile of the rung so far, promoted at once; else stopped. */
    IMMEDIATE
  }

  /** No limit on the number of trials; then a deadline must bound the sweep. */
  public static final int UNLIMITED = Integer.MAX_VALUE;

  public AshaConfig {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(promotion, "promotion");
    if (!(eta > 1) || Double.isInfinite(eta)) {
      throw new IllegalArgumentException("reduction factor eta must be > 1, found " + eta);
    }
    if (brackets < 1) {
      throw new IllegalArgumentException("brackets must be >= 1, found " + brackets);
    }
    if (maxTrials < 1) {
      throw new IllegalArgumentException("maxTrials must be >= 1, found " + maxTrials);
    }
  }

  /** Larger metric is better (AUC), η = 3, one bracket, no deadline, the paper's promotion. */
  public static AshaConfig maximize(int maxTrials) {
    return new AshaConfig(Mode.MAX, 3, 1, maxTrials, null, Promotion.PAPER);
  }

  /** Smaller metric is better (log loss), η = 3, one bracket, no deadline, the paper's promotion. */
  public static AshaConfig minimize(int maxTrials) {
    return new AshaConfig(Mode.MIN, 3, 1, maxTrials, null, Promotion.PAPER);
  }

  public AshaConfig withEta(double eta) {
    return new AshaConfig(mode, eta, brackets, maxTrials, deadline, promotion);
  }

  public AshaConfig withBrackets(int brackets) {
    return new AshaConfig(mode, eta, brackets, maxTrials, deadline, promotion);
  }

  public AshaConfig withDeadline(Instant deadline) {
    return new AshaConfig(mode, eta, brackets, maxTrials, deadline, promotion);
  }

  public AshaConfig withPromotion(Promotion promotion) {
    return new AshaConfig(mode, eta, brackets, maxTrials, deadline, promotion);
  }
}

package org.healthpredict.core.tuning;

import java.time.Instant;
import java.util.Objects;

/**
 * The settings of an ASHA sweep: which way the metric improves, the reduction factor η, the number
 * of brackets, and the budget (a number of trials, a wall-clock deadline, or both).
 *
 * @param eta reduction factor: about 1/η of the trials at a rung go on to the next, each with η times the resource
 * @param brackets 1 for plain ASHA; s > 1 runs brackets whose trials start s - 1 rungs higher, as in Ray Tune
 * @param maxTrials how many trials may start, or {@link #UNLIMITED}
 * @param deadline after this instant no trial starts or continues; null for none
 */
public record AshaConfig(Mode mode, double eta, int brackets, int maxTrials, Instant deadline) {

  /** Whether a larger or a smaller metric is better. */
  public enum Mode { MAX, MIN }

  /** No limit on the number of trials; then a deadline must bound the sweep. */
  public static final int UNLIMITED = Integer.MAX_VALUE;

  public AshaConfig {
    Objects.requireNonNull(mode, "mode");
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

  /** Larger metric is better (AUC), η = 3, one bracket, no deadline. */
  public static AshaConfig maximize(int maxTrials) {
    return new AshaConfig(Mode.MAX, 3, 1, maxTrials, null);
  }

  /** Smaller metric is better (log loss), η = 3, one bracket, no deadline. */
  public static AshaConfig minimize(int maxTrials) {
    return new AshaConfig(Mode.MIN, 3, 1, maxTrials, null);
  }

  public AshaConfig withEta(double eta) {
    return new AshaConfig(mode, eta, brackets, maxTrials, deadline);
  }

  public AshaConfig withBrackets(int brackets) {
    return new AshaConfig(mode, eta, brackets, maxTrials, deadline);
  }

  public AshaConfig withDeadline(Instant deadline) {
    return new AshaConfig(mode, eta, brackets, maxTrials, deadline);
  }
}

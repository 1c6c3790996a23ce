package org.healthpredict.core.tuning;

/**
 * What a sampler knows of one earlier trial: its configuration and its latest result, the highest
 * rung it reported at and the score there (larger is better, whatever the metric's direction), or
 * that it has no result yet.
 */
public record Observation(TrialConfig config, int rung, double score, Status status) {

  /** How far the trial's evidence goes. */
  public enum Status {
    /** Reported a usable score at {@code rung}. */
    SCORED,
    /** Its latest result was degenerate (near-constant predictions, or no better than chance). */
    DEGENERATE,
    /** Started but has reported nothing yet: running, or failed before its first result. */
    PENDING
  }

  public static Observation pending(TrialConfig config) {
    return new Observation(config, -1, Double.NaN, Status.PENDING);
  }
}

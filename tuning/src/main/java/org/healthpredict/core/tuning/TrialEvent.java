package org.healthpredict.core.tuning;

/**
 * One entry of the scheduler's history. The history, in order, is everything needed to rebuild the
 * scheduler after a driver crash ({@link AshaScheduler#restore}); a tracker stores it as it grows.
 */
public sealed interface TrialEvent {

  int trialId();

  /** A trial started with the configuration the sampler drew for it. */
  record Started(int trialId, TrialConfig config) implements TrialEvent {}

  /**
   * A metric recorded at a rung, the cutoff it was judged against (in the metric's own units), the
   * decision made, and the score it came from ({@code metric} is its mean).
   */
  record Result(int trialId, String family, int rung, double resource, double metric, double cutoff,
      Decision decision, RungScore score) implements TrialEvent {

    public Result {
      if (Double.compare(metric, score.mean()) != 0) {
        throw new IllegalArgumentException("metric " + metric + " is not the score's mean " + score.mean());
      }
    }

    /** A result from a single validation score. */
    public Result(int trialId, String family, int rung, double resource, double metric, double cutoff,
        Decision decision) {
      this(trialId, family, rung, resource, metric, cutoff, decision, RungScore.of(metric));
    }

    /** The same result with another decision. */
    public Result withDecision(Decision other) {
      return new Result(trialId, family, rung, resource, metric, cutoff, other, score);
    }
  }

  /**
   * A later decision on a trial that was WAITING at {@code rung} (paper promotion): {@link
   * Decision.Continue} when {@code nextJob} promoted it, {@link Decision.Stop} when the sweep ran out
   * of work with the trial still waiting.
   */
  record Decided(int trialId, int rung, Decision decision) implements TrialEvent {}

  /** The trial's training failed. */
  record Failed(int trialId, String reason) implements TrialEvent {}
}

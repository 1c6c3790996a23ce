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
   * A metric recorded at a rung, the cutoff it was judged against (in the metric's own units), and the
   * decision made.
   */
  record Result(int trialId, String family, int rung, double resource, double metric, double cutoff,
      Decision decision) implements TrialEvent {}

  /**
   * A later decision on a trial that was WAITING at {@code rung} (paper promotion): {@link
   * Decision.Continue} when {@code nextJob} promoted it, {@link Decision.Stop} when the sweep ran out
   * of work with the trial still waiting.
   */
  record Decided(int trialId, int rung, Decision decision) implements TrialEvent {}

  /** The trial's training failed. */
  record Failed(int trialId, String reason) implements TrialEvent {}
}

package org.healthpredict.core.tuning;

import java.util.List;

/**
 * Chooses each new trial's configuration. The scheduler calls it under its own lock with the trial's
 * id and what is known of every earlier trial, so a sampler that learns from results (TPE) sees the
 * same history, and draws the same configuration, when a resumed sweep replays its journal.
 */
public interface Sampler {

  /**
   * @param trialId the id the new trial will get
   * @param history every earlier trial: its latest result, or pending while it has none yet
   */
  TrialConfig next(int trialId, List<Observation> history);
}

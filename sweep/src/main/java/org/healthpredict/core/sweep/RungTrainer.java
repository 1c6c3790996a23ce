package org.healthpredict.core.sweep;

import org.healthpredict.core.tuning.Job;

/**
 * What the sweep's workers need of a trainer: one rung of one trial at a time. The sweep trains on
 * Spark ({@link SparkRungTrainer}); behind this interface the worker loop also runs on a trainer that
 * only computes a score, which is how its concurrency, budget and failure handling are tested.
 */
interface RungTrainer {

  /**
   * Trains the job's trial with the job's resource and scores it.
   *
   * @param folds how many cross-validation folds this rung evaluates (the first ones)
   * @param lastRung whether this is the family's top rung, where the chance rule also applies
   * @param metric the metric the score averages
   * @throws RuntimeException if the training failed: that trial fails and the sweep goes on
   */
  FittedRung fit(Job job, int folds, boolean lastRung, SweepMetric metric);

  /** The trial ended (completed, stopped or failed): what it kept for a next rung can go. */
  void forget(int trialId);
}

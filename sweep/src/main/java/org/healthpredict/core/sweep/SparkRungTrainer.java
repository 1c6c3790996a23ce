package org.healthpredict.core.sweep;

import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;
import org.healthpredict.core.tuning.Job;

/**
 * Trains rungs with {@link TrialTrainer} on Spark, each trial's Spark jobs in its own FAIR pool and
 * labelled with the trial, rung and configuration, so the Spark UI shows which trial a job belongs to.
 */
final class SparkRungTrainer implements RungTrainer {

  private final SparkSession spark;
  private final TrialTrainer trainer;

  SparkRungTrainer(SparkSession spark, TrialTrainer trainer) {
    this.spark = spark;
    this.trainer = trainer;
  }

  @Override
  public FittedRung fit(Job job, int folds, boolean lastRung, SweepMetric metric) {
    // Local properties are per thread and inherited by the threads the trainer starts for the folds.
    SparkContext sc = spark.sparkContext();
    String pool = "trial-" + job.trialId();
    sc.setLocalProperty("spark.scheduler.pool", pool);
    sc.setJobGroup(pool, SweepWorkers.label(job), false);
    try {
      TrialTrainer.Fitted f = trainer.fit(job, folds, lastRung, metric);
      return new FittedRung(f.score(), f.perFold(), f.outOfFold(), f.seconds(), f.iterationsReused());
    } finally {
      sc.clearJobGroup();
    }
  }

  @Override
  public void forget(int trialId) {
    trainer.forget(trialId);
  }
}

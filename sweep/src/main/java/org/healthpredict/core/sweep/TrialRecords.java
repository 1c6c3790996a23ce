package org.healthpredict.core.sweep;

import org.healthpredict.core.tuning.Decision;
import org.healthpredict.core.tuning.RungScore;
import org.healthpredict.core.tuning.TrialEvent;

/**
 * Where a sweep records its trials: a run per trial, open while the trial may train again, and the
 * journal, the scheduler's history in order, which a resumed sweep replays. The sweep's own are MLflow
 * child runs of the sweep's run and a {@link SweepJournal} ({@link MlflowTrialRecords}).
 *
 * <p>The workers call the journal methods under one lock, in the scheduler's order; the calls about one
 * trial's run come from the one worker that holds the trial, or from the journal when a waiting trial
 * is stopped. A trial's run ends exactly once: {@link #failed}, {@link #stopped} or {@link #completed};
 * {@link #close} ends it FAILED if none of them did.
 */
interface TrialRecords {

  /** How many of the scheduler's events the journal holds; the ones after that are still to journal. */
  int journaled();

  /** A new trial: its run is opened with the trial's configuration, then its start is journaled with the run. */
  void started(TrialEvent.Started started);

  /** Journals an event other than a start. */
  void journal(TrialEvent event);

  /**
   * A worker takes the trial up, or its waiting is ended: its run is open from here on, reopened if a
   * driver that died opened it.
   */
  void open(int trialId);

  /**
   * The score the trial's run holds at a step (its rung's resource), logged by a driver that died
   * before it journaled the result; null if there is none.
   */
  RungScore recorded(int trialId, long step);

  /** A rung's metrics, at the rung's step; called before the result is journaled. */
  void trained(int trialId, int rung, long step, FittedRung fitted);

  /** The training failed: the run ends FAILED with the error. */
  void failed(int trialId, RuntimeException error);

  /** The trial was stopped at a rung: the run ends FINISHED, saying where and why. */
  void stopped(int trialId, int rung, Decision.Stop stop);

  /** The trial completed at its top rung: the run ends FINISHED. */
  void completed(int trialId);

  /** The worker lets go of a trial whose run did not end: it ends FAILED (a resumed sweep reopens it). */
  void close(int trialId);
}

package org.healthpredict.core.tuning;

/** Where a trial is in its life. */
public enum TrialState {
  /** A worker is training it. */
  RUNNING,
  /** Owed a run at its current rung but held by no worker: only after a resume, until nextJob hands it out. */
  PAUSED,
  /**
   * Reported below its top rung under the paper's promotion rule and holds no worker: nextJob may
   * promote it once it is in the top 1/η of its rung, or the sweep's end stops it.
   */
  WAITING,
  /** Reported at the top rung, trained with its family's full resource. */
  COMPLETED,
  /** Stopped below the top rung, by the cutoff or the deadline. */
  STOPPED,
  /**
   * Stopped because its predictions were degenerate (near-constant, or no better than chance): it is
   * never promoted and never the sweep's winner.
   */
  DEGENERATE,
  /** Its training failed; its earlier results stay recorded, and it is never promoted. */
  FAILED;

  /** Whether the trial is done for good. */
  public boolean terminal() {
    return this == COMPLETED || this == STOPPED || this == DEGENERATE || this == FAILED;
  }
}

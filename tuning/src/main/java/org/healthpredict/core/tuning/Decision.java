package org.healthpredict.core.tuning;

/**
 * What a trial does after reporting its metric at a rung: continue with more resource, wait for a
 * later promotion, stop, or complete.
 */
public sealed interface Decision {

  /** The outcomes, for a switch. */
  enum Action { CONTINUE, WAIT, STOP, COMPLETE }

  Action action();

  /**
   * Promoted: train at the next rung with this resource (GBT continues its trees; other MLlib families
   * are fitted again from scratch).
   */
  record Continue(int rung, double resource) implements Decision {
    @Override
    public Action action() {
      return Action.CONTINUE;
    }
  }

  /**
   * Paper promotion: the trial holds no worker and waits at its rung. {@code nextJob} may promote it
   * later, when it is in the top 1/η of the results there; otherwise the sweep's end stops it.
   */
  record Wait() implements Decision {
    @Override
    public Action action() {
      return Action.WAIT;
    }
  }

  /** Stopped before the top rung; the trial never reaches the family's full resource. */
  record Stop(Reason reason) implements Decision {
    @Override
    public Action action() {
      return Action.STOP;
    }
  }

  /** Reported at the top rung, i.e. trained with the family's full resource R. */
  record Complete() implements Decision {
    @Override
    public Action action() {
      return Action.COMPLETE;
    }
  }

  /** Why a trial was stopped. */
  enum Reason {
    /** Its metric was below the rung's cutoff (paper promotion: never in the top 1/η of its rung). */
    BELOW_CUTOFF,
    /** It would have been promoted (or was waiting in the top 1/η), but the sweep's deadline had passed. */
    DEADLINE,
    /** Its predictions were degenerate (near-constant, or no better than chance). */
    DEGENERATE
  }
}

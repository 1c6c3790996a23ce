package org.healthpredict.core.tuning;

/** What a trial does after reporting its metric at a rung: continue with more resource, stop, or complete. */
public sealed interface Decision {

  /** The three outcomes, for a switch. */
  enum Action { CONTINUE, STOP, COMPLETE }

  Action action();

  /** Promoted: train again at the next rung with this resource (MLlib has no warm start, so from scratch). */
  record Continue(int rung, double resource) implements Decision {
    @Override
    public Action action() {
      return Action.CONTINUE;
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
    /** Its metric was below the rung's cutoff. */
    BELOW_CUTOFF,
    /** It would have been promoted, but the sweep's deadline had passed. */
    DEADLINE
  }
}

package org.healthpredict.core.sweep;

/**
 * A sweep that stopped before its end because the tracking server failed it, e.g. stayed away longer
 * than the retry budget. Its journal holds every decision so far, so the message says how to continue it.
 */
public final class SweepStoppedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String parentRunId;

  SweepStoppedException(String parentRunId, org.healthpredict.core.tracking.TrackingException cause) {
    super("sweep " + parentRunId + " stopped: " + cause.getMessage() + "\nNothing it recorded is lost:"
        + " once the cause is fixed, continue it with `tune --resume " + parentRunId
        + "` and the same --data, --space and sweep options.", cause);
    this.parentRunId = parentRunId;
  }

  public String parentRunId() {
    return parentRunId;
  }
}

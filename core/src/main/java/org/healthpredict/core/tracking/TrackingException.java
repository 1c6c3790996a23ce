package org.healthpredict.core.tracking;

/**
 * A failed call to the MLflow tracking server or to run artifact storage; the message names the
 * tracking URI (or artifact location) and what was being done, so a user can tell a stopped server
 * from a rejected request.
 */
public final class TrackingException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public TrackingException(String message) {
    super(message);
  }

  public TrackingException(String message, Throwable cause) {
    super(message, cause);
  }
}

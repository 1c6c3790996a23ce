package org.healthpredict.jobs;

/** The input data is not what the job expects; reported with exit code 3 and no stack trace. */
public final class InvalidInputException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public InvalidInputException(String message) {
    super(message);
  }

  public InvalidInputException(String message, Throwable cause) {
    super(message, cause);
  }
}

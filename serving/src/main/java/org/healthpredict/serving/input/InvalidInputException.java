package org.healthpredict.serving.input;

import java.util.List;

/**
 * A request the service will not score, with the HTTP status to answer and every offending field,
 * so a client can fix all of them in one round trip.
 */
public final class InvalidInputException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Syntax the server cannot read (not JSON, not an object). */
  public static final int MALFORMED = 400;
  /** Well-formed JSON whose fields break the record schema. */
  public static final int UNPROCESSABLE = 422;
  /** A body or batch over the configured limit. */
  public static final int TOO_LARGE = 413;

  private final int status;
  private final transient List<FieldError> errors;

  public InvalidInputException(int status, String message, List<FieldError> errors) {
    super(message);
    this.status = status;
    this.errors = List.copyOf(errors);
  }

  public InvalidInputException(int status, String message) {
    this(status, message, List.of());
  }

  public int status() {
    return status;
  }

  public List<FieldError> errors() {
    return errors;
  }
}

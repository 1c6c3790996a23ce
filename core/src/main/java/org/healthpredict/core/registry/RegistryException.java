package org.healthpredict.core.registry;

/**
 * A registry request that cannot be carried out as asked (no model artifact, no such version, no
 * earlier champion, a version not pending approval); the message names the model and version.
 * Failures to reach or talk to the server are {@code TrackingException}s instead.
 */
public class RegistryException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public RegistryException(String message) {
    super(message);
  }

  public RegistryException(String message, Throwable cause) {
    super(message, cause);
  }
}

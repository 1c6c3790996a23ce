package org.healthpredict.core.registry;

/**
 * A promotion that lost a race: the champion no longer is the version its decision assumed, or
 * another promoter holds the model's promotion lease. Nothing was moved; decide again against the
 * current champion.
 */
public final class PromotionConflictException extends RegistryException {

  private static final long serialVersionUID = 1L;

  public PromotionConflictException(String message) {
    super(message);
  }
}

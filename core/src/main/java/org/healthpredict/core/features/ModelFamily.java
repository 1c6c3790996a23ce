package org.healthpredict.core.features;

/** The classifier families the sweep trains, and what each needs from the feature pipeline. */
public enum ModelFamily {
  LR(true),
  RF(false),
  GBT(false);

  private final boolean needsScaling;

  ModelFamily(boolean needsScaling) {
    this.needsScaling = needsScaling;
  }

  /**
   * Whether features should be standardised before the classifier. Regularised logistic regression
   * penalises coefficients, so unscaled counts (lab procedures ~40) would be penalised differently
   * from 0/1 indicators; trees split on order only and gain nothing from scaling.
   */
  public boolean needsScaling() {
    return needsScaling;
  }
}

package org.healthpredict.core.drift;

/** How a monitored column is compared: as numbers (ordered, distances make sense) or as categories. */
public enum FeatureKind {
  NUMERICAL,
  CATEGORICAL;

  public String label() {
    return name().toLowerCase();
  }
}

package org.healthpredict.serving.traffic;

/** Which model answered (or shadow-scored) a request; the {@code variant} label of the metrics. */
public enum Variant {
  CHAMPION, CHALLENGER;

  public String label() {
    return name().toLowerCase();
  }
}

package org.healthpredict.serving.traffic;

/** How a configured challenger takes part. */
public enum AbMode {
  /** A stable share of patients is answered by the challenger. */
  SPLIT,
  /** Every request is scored by both; the champion answers and the challenger only feeds metrics. */
  SHADOW
}

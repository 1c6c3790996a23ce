package org.healthpredict.serving.model;

/** How requests are scored. */
public enum ScorerKind {
  /** Plain Java over the fitted stages and flat trees: microseconds per record. The default. */
  ROW,
  /**
   * Spark's own {@code PipelineModel.transform} of a one-row DataFrame: a Spark job per record, so
   * orders of magnitude slower. Kept as the reference the row path is measured and checked against.
   */
  TRANSFORM
}

package org.healthpredict.core.drift;

/** Exact counts of a column's non-missing values on one side (reference or current). */
public sealed interface ValueCounts permits NumericCounts, CategoryCounts {

  /** Rows with a value. */
  long total();

  /** Distinct values. */
  int distinct();

  boolean isEmpty();
}

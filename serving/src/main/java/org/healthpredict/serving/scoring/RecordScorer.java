package org.healthpredict.serving.scoring;

/**
 * Scores one encounter. The record is typed the way the feature stages see it: one value per field
 * of {@link org.healthpredict.core.data.RawSchema#typedSchema()}, in that order ({@code Long} for
 * ids, {@code Integer} for counts and codes, {@code String} for categories, {@code null} for a
 * missing value; the label slot is ignored). Implementations are thread-safe.
 */
public interface RecordScorer {

  /** Probability that the encounter is a readmission within 30 days. */
  double probability(Object[] typed);

  /** How it scores, for {@code GET /model} and the logs. */
  default String describe() {
    return getClass().getSimpleName();
  }
}

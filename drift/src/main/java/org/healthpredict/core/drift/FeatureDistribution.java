package org.healthpredict.core.drift;

/**
 * One feature's value counts on both sides, plus how many rows had no value.
 *
 * @param reference counts of the reference's values ({@link NumericCounts} or {@link CategoryCounts})
 * @param current counts of the current batch's values, of the same type
 */
public record FeatureDistribution(ValueCounts reference, ValueCounts current, long referenceMissing,
    long currentMissing) {

  public FeatureDistribution {
    if (reference.getClass() != current.getClass()) {
      throw new IllegalArgumentException("both sides must be counted alike, got " + reference + " and " + current);
    }
  }

  /** Distinct values over both sides together, the count Evidently's test choice looks at. */
  public int distinctValues() {
    if (reference instanceof NumericCounts r) {
      NumericCounts c = (NumericCounts) current;
      return (int) java.util.stream.DoubleStream.concat(java.util.Arrays.stream(r.values()),
          java.util.Arrays.stream(c.values())).distinct().count();
    }
    return CategoryCounts.union((CategoryCounts) reference, (CategoryCounts) current).size();
  }

  /** Categorical view of either kind: numbers become categories named by their value. */
  CategoryCounts referenceCategories() {
    return categories(reference);
  }

  CategoryCounts currentCategories() {
    return categories(current);
  }

  private static CategoryCounts categories(ValueCounts counts) {
    return counts instanceof NumericCounts n ? n.asCategories() : (CategoryCounts) counts;
  }
}

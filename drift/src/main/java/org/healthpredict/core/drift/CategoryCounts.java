package org.healthpredict.core.drift;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The distribution of a categorical column as exact counts per category (missing values excluded,
 * as Evidently drops them before testing).
 */
public record CategoryCounts(Map<String, Long> counts) implements ValueCounts {

  public CategoryCounts {
    counts.forEach((category, count) -> {
      if (category == null) {
        throw new IllegalArgumentException("a category cannot be null; missing values are counted apart");
      }
      if (count == null || count <= 0) {
        throw new IllegalArgumentException("count of category '" + category + "' must be positive, got " + count);
      }
    });
    counts = Map.copyOf(counts);
  }

  /** Counts from raw observations, for tests and small examples. */
  public static CategoryCounts ofSample(String... sample) {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (String v : sample) {
      counts.merge(v, 1L, Long::sum);
    }
    return new CategoryCounts(counts);
  }

  @Override
  public long total() {
    return counts.values().stream().mapToLong(Long::longValue).sum();
  }

  @Override
  public int distinct() {
    return counts.size();
  }

  public long count(String category) {
    return counts.getOrDefault(category, 0L);
  }

  @Override
  public boolean isEmpty() {
    return counts.isEmpty();
  }

  /** Categories seen on either side, in a stable (sorted) order. */
  public static Set<String> union(CategoryCounts a, CategoryCounts b) {
    Set<String> keys = new TreeSet<>(a.counts.keySet());
    keys.addAll(b.counts.keySet());
    return keys;
  }
}

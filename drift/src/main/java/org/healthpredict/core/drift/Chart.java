package org.healthpredict.core.drift;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a feature's chart in the report shows: reference and current shares of rows per bar. Numbers
 * with few distinct values get a bar per value, others 20 equal-width bins; categories get a bar each
 * for the most frequent ones and one "other" bar for the rest.
 */
public record Chart(List<String> labels, double[] reference, double[] current) {

  static final int MAX_BARS = 20;
  static final int TOP_CATEGORIES = 12;

  static Chart of(FeatureDistribution d) {
    if (d.reference() instanceof NumericCounts r) {
      NumericCounts c = (NumericCounts) d.current();
      return d.distinctValues() <= MAX_BARS ? byValue(d) : binned(r, c);
    }
    return byCategory((CategoryCounts) d.reference(), (CategoryCounts) d.current());
  }

  private static Chart byValue(FeatureDistribution d) {
    CategoryCounts r = d.referenceCategories();
    CategoryCounts c = d.currentCategories();
    List<String> keys = new ArrayList<>(CategoryCounts.union(r, c));
    keys.sort(Comparator.comparingDouble(Double::parseDouble));
    return shares(keys, r, c);
  }

  private static Chart binned(NumericCounts r, NumericCounts c) {
    double min = Math.min(r.min(), c.min());
    double max = Math.max(r.max(), c.max());
    double[] edges = new double[MAX_BARS + 1];
    List<String> labels = new ArrayList<>();
    for (int i = 0; i <= MAX_BARS; i++) {
      edges[i] = min + (max - min) * i / MAX_BARS;
    }
    for (int i = 0; i < MAX_BARS; i++) {
      labels.add(String.format(java.util.Locale.ROOT, "%.4g–%.4g", edges[i], edges[i + 1]));
    }
    return new Chart(labels, fractions(Binning.histogram(r, edges), r.total()),
        fractions(Binning.histogram(c, edges), c.total()));
  }

  private static Chart byCategory(CategoryCounts r, CategoryCounts c) {
    Set<String> all = CategoryCounts.union(r, c);
    List<String> keys = new ArrayList<>(all);
    // Ranked by the larger of the two shares, so a category that is new in the current batch shows.
    keys.sort(Comparator.comparingDouble((String k) -> -Math.max(share(r, k), share(c, k))).thenComparing(k -> k));
    if (keys.size() <= TOP_CATEGORIES + 1) {
      return shares(keys, r, c);
    }
    List<String> top = keys.subList(0, TOP_CATEGORIES);
    Chart shown = shares(top, r, c);
    List<String> labels = new ArrayList<>(top);
    labels.add("other (" + (keys.size() - TOP_CATEGORIES) + ")");
    return new Chart(labels, withRest(shown.reference), withRest(shown.current));
  }

  private static Chart shares(List<String> keys, CategoryCounts r, CategoryCounts c) {
    double[] rs = keys.stream().mapToDouble(k -> share(r, k)).toArray();
    double[] cs = keys.stream().mapToDouble(k -> share(c, k)).toArray();
    return new Chart(List.copyOf(keys), rs, cs);
  }

  private static double share(CategoryCounts counts, String key) {
    return (double) counts.count(key) / counts.total();
  }

  private static double[] withRest(double[] top) {
    double[] out = java.util.Arrays.copyOf(top, top.length + 1);
    out[top.length] = Math.max(0, 1 - java.util.Arrays.stream(top).sum());
    return out;
  }

  private static double[] fractions(long[] counts, long total) {
    double[] out = new double[counts.length];
    for (int i = 0; i < counts.length; i++) {
      out[i] = (double) counts[i] / total;
    }
    return out;
  }

  /** As JSON-friendly maps, for report.json. */
  Map<String, Object> asMap() {
    return Map.of("labels", labels, "reference", reference, "current", current);
  }
}

package org.healthpredict.core.drift;

import java.util.Arrays;
import java.util.Map;
import java.util.SortedMap;

/**
 * The distribution of a numerical column as exact counts per distinct value, sorted by value: all
 * that KS, Wasserstein and the histograms need, aggregated by Spark instead of collecting the column.
 * Missing values are not part of it (Evidently drops them before testing); they are counted apart.
 *
 * @param values distinct values, ascending
 * @param counts how many rows hold each value (all positive)
 */
public record NumericCounts(double[] values, long[] counts) implements ValueCounts {

  public NumericCounts {
    if (values.length != counts.length) {
      throw new IllegalArgumentException("values and counts differ in length: " + values.length + " vs " + counts.length);
    }
    for (int i = 0; i < values.length; i++) {
      if (i > 0 && !(values[i - 1] < values[i])) {
        throw new IllegalArgumentException("values must be distinct and ascending, found " + values[i - 1]
            + " before " + values[i]);
      }
      if (counts[i] <= 0) {
        throw new IllegalArgumentException("count of value " + values[i] + " must be positive, got " + counts[i]);
      }
    }
  }

  public static NumericCounts of(SortedMap<Double, Long> counts) {
    return new NumericCounts(counts.keySet().stream().mapToDouble(Double::doubleValue).toArray(),
        counts.values().stream().mapToLong(Long::longValue).toArray());
  }

  /** Counts from raw observations, for tests and small examples. */
  public static NumericCounts ofSample(double... sample) {
    java.util.TreeMap<Double, Long> counts = new java.util.TreeMap<>();
    for (double v : sample) {
      counts.merge(v, 1L, Long::sum);
    }
    return of(counts);
  }

  @Override
  public long total() {
    return Arrays.stream(counts).sum();
  }

  @Override
  public int distinct() {
    return values.length;
  }

  @Override
  public boolean isEmpty() {
    return values.length == 0;
  }

  public double min() {
    return values[0];
  }

  public double max() {
    return values[values.length - 1];
  }

  public double mean() {
    double sum = 0;
    for (int i = 0; i < values.length; i++) {
      sum += values[i] * counts[i];
    }
    return sum / total();
  }

  /** Population standard deviation (numpy's default, ddof = 0), as Evidently normalises by. */
  public double std() {
    double mean = mean();
    double ss = 0;
    for (int i = 0; i < values.length; i++) {
      ss += (values[i] - mean) * (values[i] - mean) * counts[i];
    }
    return Math.sqrt(ss / total());
  }

  /** The smallest value with at least {@code q} of the rows at or below it (q in (0, 1]). */
  public double quantile(double q) {
    long total = total();
    long cumulative = 0;
    for (int i = 0; i < values.length; i++) {
      cumulative += counts[i];
      if (cumulative >= q * total) {
        return values[i];
      }
    }
    return max();
  }

  /** The same counts keyed by value, for tests that treat few-valued numbers as categories. */
  public CategoryCounts asCategories() {
    Map<String, Long> out = new java.util.LinkedHashMap<>();
    for (int i = 0; i < values.length; i++) {
      out.put(format(values[i]), counts[i]);
    }
    return new CategoryCounts(out);
  }

  /** 3.0 prints as "3", 2.5 as "2.5": numbers as a person writes them. */
  static String format(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NumericCounts n && Arrays.equals(values, n.values) && Arrays.equals(counts, n.counts);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(values) + Arrays.hashCode(counts);
  }

  @Override
  public String toString() {
    return "NumericCounts[" + distinct() + " values, " + total() + " rows]";
  }
}

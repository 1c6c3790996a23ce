package org.healthpredict.core.drift;

import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns two sides' value counts into aligned bins as Evidently's {@code get_binned_data} does, for
 * its Jensen–Shannon and PSI tests: a category, or a number whose reference holds at most
 * {@value #PER_VALUE_LIMIT} distinct values, gets one bin per value seen on either side; other numbers
 * get numpy's Sturges bins over both sides together. Shares are of each side's non-missing rows.
 */
public final class Binning {

  /** Numbers with more distinct reference values than this are binned (Evidently's {@code n_vals > 20}). */
  public static final int PER_VALUE_LIMIT = 20;

  private Binning() {}

  /** Both sides' shares over the same bins. */
  public record Shares(double[] reference, double[] current) {}

  /** Evidently's bins and shares, empty bins left at zero (its Jensen–Shannon test). */
  public static Shares evidently(ValueCounts reference, ValueCounts current) {
    if (reference instanceof NumericCounts r) {
      NumericCounts c = (NumericCounts) current;
      return r.distinct() > PER_VALUE_LIMIT ? sturges(r, c) : perValue(r, c);
    }
    return categories((CategoryCounts) reference, (CategoryCounts) current);
  }

  /**
   * Evidently's correction for PSI: on each side, an empty bin gets the side's smallest non-zero share
   * divided by a million when that share is at most 0.0001, else 0.0001.
   */
  public static Shares withEmptyBinsFilled(Shares s) {
    return new Shares(filled(s.reference()), filled(s.current()));
  }

  private static double[] filled(double[] shares) {
    double smallest = Double.POSITIVE_INFINITY;
    for (double v : shares) {
      if (v != 0) {
        smallest = Math.min(smallest, v);
      }
    }
    double fill = smallest <= DriftStatistics.EMPTY_BIN_SHARE ? smallest / 1e6 : DriftStatistics.EMPTY_BIN_SHARE;
    double[] out = shares.clone();
    for (int i = 0; i < out.length; i++) {
      if (out[i] == 0) {
        out[i] = fill;
      }
    }
    return out;
  }

  /**
   * numpy's {@code histogram_bin_edges(reference + current, bins="sturges")}: ceil(ptp / width)
   * equal bins with width = ptp / (log2(n) + 1), edges from {@code linspace} (i * step + min, the
   * last edge the maximum itself).
   */
  static double[] sturgesEdges(NumericCounts reference, NumericCounts current) {
    double first = Math.min(reference.min(), current.min());
    double last = Math.max(reference.max(), current.max());
    double ptp = last - first;
    if (first == last) {
      first -= 0.5;
      last += 0.5;
    }
    long n = reference.total() + current.total();
    double width = ptp / (log2(n) + 1.0);
    int bins = width != 0 ? (int) Math.ceil((last - first) / width) : 1;
    double step = (last - first) / bins;
    double[] edges = new double[bins + 1];
    for (int i = 0; i < bins; i++) {
      edges[i] = i * step + first;
    }
    edges[bins] = last;
    return edges;
  }

  /** log2 as C computes it: exact for powers of two, where a ratio of logarithms can miss by an ulp. */
  private static double log2(long n) {
    return Long.bitCount(n) == 1 ? Long.numberOfTrailingZeros(n) : Math.log(n) / Math.log(2);
  }

  private static Shares sturges(NumericCounts reference, NumericCounts current) {
    double[] edges = sturgesEdges(reference, current);
    return new Shares(shares(histogram(reference, edges), reference.total()),
        shares(histogram(current, edges), current.total()));
  }

  private static Shares perValue(NumericCounts reference, NumericCounts current) {
    TreeSet<Double> keys = new TreeSet<>();
    Arrays.stream(reference.values()).forEach(keys::add);
    Arrays.stream(current.values()).forEach(keys::add);
    double[] at = keys.stream().mapToDouble(Double::doubleValue).toArray();
    return new Shares(shares(countsAt(reference, at), reference.total()),
        shares(countsAt(current, at), current.total()));
  }

  private static long[] countsAt(NumericCounts counts, double[] at) {
    long[] out = new long[at.length];
    for (int i = 0; i < counts.values().length; i++) {
      out[Arrays.binarySearch(at, counts.values()[i])] += counts.counts()[i];
    }
    return out;
  }

  /** One bin per category seen on either side, in sorted order. */
  public static Shares categories(CategoryCounts reference, CategoryCounts current) {
    Set<String> keys = CategoryCounts.union(reference, current);
    long[] r = new long[keys.size()];
    long[] c = new long[keys.size()];
    int i = 0;
    for (String key : keys) {
      r[i] = reference.count(key);
      c[i++] = current.count(key);
    }
    return new Shares(shares(r, reference.total()), shares(c, current.total()));
  }

  /**
   * Counts per [edge_i, edge_i+1) bin, the last bin closed, values outside the edges left out: what
   * numpy.histogram counts for explicit edges (by searchsorted on the edges).
   */
  static long[] histogram(NumericCounts counts, double[] edges) {
    int bins = edges.length - 1;
    long[] out = new long[bins];
    for (int i = 0; i < counts.values().length; i++) {
      double v = counts.values()[i];
      if (v < edges[0] || v > edges[bins]) {
        continue;
      }
      int at = Arrays.binarySearch(edges, v);
      // An exact edge opens its bin; the last edge closes the last bin.
      int bin = at >= 0 ? Math.min(at, bins - 1) : -at - 2;
      out[bin] += counts.counts()[i];
    }
    return out;
  }

  private static double[] shares(long[] counts, long total) {
    double[] shares = new double[counts.length];
    for (int i = 0; i < counts.length; i++) {
      shares[i] = (double) counts[i] / total;
    }
    return shares;
  }
}

package org.healthpredict.core.drift;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Turns two sides' value counts into aligned bins: the bins Evidently's Jensen–Shannon test uses
 * (30 equal-width bins over both sides' range, or the categories), and the bins PSI uses (the
 * reference's deciles, or the categories).
 */
public final class Binning {

  /** numpy's default in Evidently's {@code get_binned_data}. */
  public static final int EVIDENTLY_BINS = 30;
  /** PSI's classic ten bins at the reference's deciles. */
  public static final int PSI_BINS = 10;

  private Binning() {}

  /** Both sides' shares over the same bins (zero shares already replaced by Evidently's 0.0001). */
  public record Shares(double[] reference, double[] current) {}

  /** Evidently's bins for Jensen–Shannon: equal-width over the combined range (numpy's histogram_bin_edges). */
  public static Shares equalWidth(NumericCounts reference, NumericCounts current, int bins) {
    double min = Math.min(reference.min(), current.min());
    double max = Math.max(reference.max(), current.max());
    if (min == max) {
      // numpy widens a zero range to [x - 0.5, x + 0.5].
      min -= 0.5;
      max += 0.5;
    }
    double[] edges = new double[bins + 1];
    for (int i = 0; i <= bins; i++) {
      edges[i] = min + (max - min) * i / bins;
    }
    return new Shares(shares(histogram(reference, edges), reference.total()),
        shares(histogram(current, edges), current.total()));
  }

  /** PSI's bins for numbers: (−∞, q10], (q10, q20], … (q90, ∞) at the reference's deciles, ties merged. */
  public static Shares referenceQuantiles(NumericCounts reference, NumericCounts current, int bins) {
    List<Double> cuts = new ArrayList<>();
    for (int i = 1; i < bins; i++) {
      double q = reference.quantile((double) i / bins);
      if (cuts.isEmpty() || q > cuts.get(cuts.size() - 1)) {
        cuts.add(q);
      }
    }
    double[] upper = cuts.stream().mapToDouble(Double::doubleValue).toArray();
    return new Shares(shares(countAtOrBelow(reference, upper), reference.total()),
        shares(countAtOrBelow(current, upper), current.total()));
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

  /** Counts per [edge_i, edge_i+1) bin, the last bin closed, as numpy.histogram counts. */
  static long[] histogram(NumericCounts counts, double[] edges) {
    int bins = edges.length - 1;
    long[] out = new long[bins];
    double width = (edges[bins] - edges[0]) / bins;
    for (int i = 0; i < counts.values().length; i++) {
      double v = counts.values()[i];
      if (v < edges[0] || v > edges[bins]) {
        continue;
      }
      int bin = (int) Math.min(bins - 1, Math.floor((v - edges[0]) / width));
      // Float rounding can put a value that sits on an edge one bin off; the edges decide.
      if (bin > 0 && v < edges[bin]) {
        bin--;
      } else if (bin < bins - 1 && v >= edges[bin + 1]) {
        bin++;
      }
      out[bin] += counts.counts()[i];
    }
    return out;
  }

  /** Counts per bin with the given inclusive upper cut points; values above the last cut go to a final bin. */
  static long[] countAtOrBelow(NumericCounts counts, double[] upperCuts) {
    long[] out = new long[upperCuts.length + 1];
    for (int i = 0; i < counts.values().length; i++) {
      int bin = java.util.Arrays.binarySearch(upperCuts, counts.values()[i]);
      out[bin >= 0 ? bin : -bin - 1] += counts.counts()[i];
    }
    return out;
  }

  private static double[] shares(long[] counts, long total) {
    return DriftStatistics.sharesWithFloor(counts, total);
  }
}

package org.healthpredict.core.drift;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.stat.inference.ChiSquareTest;

/**
 * The statistics of drift detection, computed from exact value counts rather than raw columns, with
 * the same definitions as Evidently (which calls scipy): two-sample Kolmogorov–Smirnov and
 * chi-square come from Apache Commons Math; Wasserstein, Jensen–Shannon, PSI and the two-proportion
 * z-test are written here.
 */
public final class DriftStatistics {

  /** Evidently's stand-in for an empty bin, so logarithms and ratios stay finite. */
  public static final double EMPTY_BIN_SHARE = 0.0001;
  /** Evidently's floor for the reference standard deviation that normalises the Wasserstein distance. */
  public static final double MIN_NORMALISING_STD = 0.001;

  private static final ChiSquareTest CHI_SQUARE = new ChiSquareTest();
  private static final NormalDistribution STANDARD_NORMAL = new NormalDistribution(0, 1);

  private DriftStatistics() {}

  /** A test's statistic and, for hypothesis tests, its p-value (NaN for distances). */
  public record Outcome(double statistic, double pValue) {}

  /**
   * Two-sample Kolmogorov–Smirnov: D is the largest gap between the two empirical CDFs, evaluated at
   * every observed value (so ties are counted as scipy's {@code ks_2samp} counts them). The p-value is
   * scipy's, which Evidently reports ({@link SmirnovPValue}).
   */
  public static Outcome kolmogorovSmirnov(NumericCounts reference, NumericCounts current) {
    requireValues(reference, current);
    double d = 0;
    for (double[] f : cdfs(reference, current)) {
      d = Math.max(d, Math.abs(f[0] - f[1]));
    }
    int n = Math.toIntExact(reference.total());
    int m = Math.toIntExact(current.total());
    return new Outcome(d, clampProbability(SmirnovPValue.twoSided(d, n, m)));
  }

  /**
   * Chi-square goodness of fit of the current counts against the reference proportions (Evidently's
   * {@code chisquare} test: expected = reference count × current rows / reference rows). A category
   * the reference never saw makes the statistic infinite and the p-value 0, as in scipy.
   */
  public static Outcome chiSquare(CategoryCounts reference, CategoryCounts current) {
    requireValues(reference, current);
    Set<String> keys = CategoryCounts.union(reference, current);
    if (keys.size() < 2) {
      return new Outcome(0, 1);
    }
    double scale = (double) current.total() / reference.total();
    double[] expected = new double[keys.size()];
    long[] observed = new long[keys.size()];
    int i = 0;
    for (String key : keys) {
      expected[i] = reference.count(key) * scale;
      observed[i] = current.count(key);
      if (expected[i] == 0) {
        return new Outcome(Double.POSITIVE_INFINITY, 0);
      }
      i++;
    }
    return new Outcome(CHI_SQUARE.chiSquare(expected, observed), CHI_SQUARE.chiSquareTest(expected, observed));
  }

  /**
   * Two-proportion z-test (pooled variance, two-sided), Evidently's test for columns with at most two
   * categories: z = (p1 − p2) / √(P(1 − P)(1/n1 + 1/n2)). One and the same value on both sides gives p = 1.
   */
  public static Outcome twoProportionZ(CategoryCounts reference, CategoryCounts current) {
    requireValues(reference, current);
    Set<String> keys = CategoryCounts.union(reference, current);
    if (keys.size() > 2) {
      throw new IllegalArgumentException("the two-proportion z-test needs at most two categories, found " + keys);
    }
    if (keys.size() == 1) {
      return new Outcome(0, 1);
    }
    String first = keys.iterator().next();
    double n1 = reference.total();
    double n2 = current.total();
    double p1 = (n1 - reference.count(first)) / n1;
    double p2 = (n2 - current.count(first)) / n2;
    double pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
    double z = (p1 - p2) / Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
    return new Outcome(z, clampProbability(2 * STANDARD_NORMAL.cumulativeProbability(-Math.abs(z))));
  }

  /** First Wasserstein (earth mover's) distance: the area between the two empirical CDFs. */
  public static double wasserstein(NumericCounts reference, NumericCounts current) {
    requireValues(reference, current);
    List<double[]> steps = cdfs(reference, current);
    double[] at = mergedValues(reference, current);
    double area = 0;
    for (int i = 0; i + 1 < at.length; i++) {
      double[] f = steps.get(i);
      area += Math.abs(f[0] - f[1]) * (at[i + 1] - at[i]);
    }
    return area;
  }

  /** Evidently's {@code wasserstein} test: the distance divided by the reference's standard deviation (floor 0.001). */
  public static double wassersteinNormalised(NumericCounts reference, NumericCounts current) {
    return wasserstein(reference, current) / Math.max(reference.std(), MIN_NORMALISING_STD);
  }

  /**
   * Jensen–Shannon distance (natural logarithm, as scipy's default): the square root of the mean
   * Kullback–Leibler divergence of each distribution from their mixture. Inputs are normalised first.
   */
  public static double jensenShannon(double[] p, double[] q) {
    checkSameLength(p, q);
    double[] a = normalised(p);
    double[] b = normalised(q);
    double divergence = 0;
    for (int i = 0; i < a.length; i++) {
      double m = (a[i] + b[i]) / 2;
      divergence += relativeEntropy(a[i], m) + relativeEntropy(b[i], m);
    }
    return Math.sqrt(Math.max(0, divergence) / 2);
  }

  /** Population stability index Σ (r − c)·ln(r / c) over bins; shares must be positive (see {@link Binning#withEmptyBinsFilled}). */
  public static double psi(double[] referenceShares, double[] currentShares) {
    checkSameLength(referenceShares, currentShares);
    double psi = 0;
    for (int i = 0; i < referenceShares.length; i++) {
      double r = referenceShares[i];
      double c = currentShares[i];
      if (!(r > 0 && c > 0)) {
        throw new IllegalArgumentException("PSI needs positive shares; bin " + i + " has " + r + " and " + c);
      }
      psi += (r - c) * Math.log(r / c);
    }
    return psi;
  }

  /** Both empirical CDFs at every value seen on either side, ascending: {F_reference(x), F_current(x)}. */
  private static List<double[]> cdfs(NumericCounts reference, NumericCounts current) {
    double[] at = mergedValues(reference, current);
    List<double[]> out = new ArrayList<>(at.length);
    double nr = reference.total();
    double nc = current.total();
    int i = 0;
    int j = 0;
    long below1 = 0;
    long below2 = 0;
    for (double x : at) {
      while (i < reference.values().length && reference.values()[i] <= x) {
        below1 += reference.counts()[i++];
      }
      while (j < current.values().length && current.values()[j] <= x) {
        below2 += current.counts()[j++];
      }
      out.add(new double[] {below1 / nr, below2 / nc});
    }
    return out;
  }

  private static double[] mergedValues(NumericCounts a, NumericCounts b) {
    return java.util.stream.DoubleStream.concat(java.util.Arrays.stream(a.values()), java.util.Arrays.stream(b.values()))
        .distinct().sorted().toArray();
  }

  private static double relativeEntropy(double x, double y) {
    return x == 0 ? 0 : x * Math.log(x / y);
  }

  private static double[] normalised(double[] weights) {
    double sum = 0;
    for (double w : weights) {
      if (!(w >= 0)) {
        throw new IllegalArgumentException("weights must be non-negative, found " + w);
      }
      sum += w;
    }
    if (sum == 0) {
      throw new IllegalArgumentException("weights must not all be zero");
    }
    double[] out = new double[weights.length];
    for (int i = 0; i < weights.length; i++) {
      out[i] = weights[i] / sum;
    }
    return out;
  }

  private static void checkSameLength(double[] a, double[] b) {
    if (a.length != b.length || a.length == 0) {
      throw new IllegalArgumentException("the two distributions need the same, non-zero number of bins: "
          + a.length + " vs " + b.length);
    }
  }

  private static void requireValues(ValueCounts reference, ValueCounts current) {
    if (reference.isEmpty() || current.isEmpty()) {
      throw new IllegalArgumentException("a drift test needs values on both sides (reference "
          + reference.total() + ", current " + current.total() + " rows)");
    }
  }

  private static double clampProbability(double p) {
    return Math.min(1, Math.max(0, p));
  }
}

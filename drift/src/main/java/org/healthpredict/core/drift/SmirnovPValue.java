package org.healthpredict.core.drift;

import java.util.Arrays;
import org.apache.commons.math3.stat.inference.KolmogorovSmirnovTest;

/**
 * The two-sided p-value of the two-sample Kolmogorov–Smirnov statistic as scipy's
 * {@code ks_2samp(method="auto")} computes it, which is what Evidently reports: exact when neither
 * sample exceeds {@value #MAX_EXACT_SIZE} rows (lattice paths, with Viehmann's numerically stable
 * recursion for unequal sizes), otherwise the one-sample distribution of D at the effective size
 * m·n/(m + n).
 */
final class SmirnovPValue {

  /** scipy's {@code MAX_AUTO_N}. */
  static final int MAX_EXACT_SIZE = 10_000;

  private static final KolmogorovSmirnovTest ONE_SAMPLE = new KolmogorovSmirnovTest();

  private SmirnovPValue() {}

  static double twoSided(double d, int n1, int n2) {
    if (Math.max(n1, n2) <= MAX_EXACT_SIZE) {
      double exact = exact(d, n1, n2);
      if (exact >= 0 && exact <= 1) {
        return exact;
      }
      // scipy falls back to the asymptotic form when the exact recursion under- or overflows.
    }
    double m = Math.max(n1, n2);
    double n = Math.min(n1, n2);
    int effective = (int) Math.rint(m * n / (m + n));
    return 1 - ONE_SAMPLE.cdf(d, effective);
  }

  /** {@code _attempt_exact_2kssamp}: D is rounded to a multiple of 1/lcm(n1, n2) first. */
  static double exact(double d, int n1, int n2) {
    int g = gcd(n1, n2);
    long lcm = (long) (n1 / g) * n2;
    long h = (long) Math.rint(d * lcm);
    if (h == 0) {
      return 1.0;
    }
    return n1 == n2 ? outsideSquare(n1, h) : outerInside(n1, n2, g, h);
  }

  /** {@code _compute_prob_outside_square}: P(D ≥ h/n) for equal sizes, by a Horner-like sum. */
  private static double outsideSquare(int n, long h) {
    double p = 0;
    long k = n / h;
    while (k >= 0) {
      double p1 = 1;
      for (long j = 0; j < h; j++) {
        p1 = (n - k * h - j) * p1 / (n + k * h + j + 1);
      }
      p = p1 * (1 - p);
      k--;
    }
    return 2 * p;
  }

  /**
   * {@code _compute_outer_prob_inside_method}: the share of lattice paths from (0, 0) to (m, n) that
   * leave the band |x/m − y/n| &lt; h / lcm, computed column by column over a sliding window.
   */
  private static double outerInside(int a, int b, int g, long h) {
    int m = Math.max(a, b);
    int n = Math.min(a, b);
    long mg = m / g;
    long ng = n / g;
    int minj = 0;
    int maxj = (int) Math.min((long) Math.ceil((double) h / mg), n + 1);
    int curlen = maxj - minj;
    int lenA = Math.min(2 * maxj + 2, n + 1);
    double[] values = new double[lenA];
    Arrays.fill(values, 1.0);
    Arrays.fill(values, minj, maxj, 0.0);
    for (int i = 1; i <= m; i++) {
      int lastminj = minj;
      int lastlen = curlen;
      minj = (int) Math.max((long) Math.floor((double) (ng * i - h) / mg) + 1, 0);
      minj = Math.min(minj, n);
      maxj = (int) Math.min((long) Math.ceil((double) (ng * i + h) / mg), n + 1);
      if (maxj <= minj) {
        return 1.0;
      }
      double val = minj == 0 ? 0.0 : 1.0;
      for (int jj = 0; jj < maxj - minj; jj++) {
        int j = jj + minj;
        val = (values[jj + minj - lastminj] * i + val * j) / (i + j);
        values[jj] = val;
      }
      curlen = maxj - minj;
      if (lastlen > curlen) {
        Arrays.fill(values, maxj - minj, maxj - minj + (lastlen - curlen), 1.0);
      }
    }
    return values[maxj - minj - 1];
  }

  private static int gcd(int a, int b) {
    return b == 0 ? a : gcd(b, a % b);
  }
}

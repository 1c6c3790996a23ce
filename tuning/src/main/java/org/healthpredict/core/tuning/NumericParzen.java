package org.healthpredict.core.tuning;

import java.util.Arrays;
import java.util.Random;
import org.apache.commons.math3.special.Erf;

/**
 * A Parzen estimator over one numeric parameter, as TPE builds it (Bergstra et al. 2011; Optuna's
 * univariate estimator): a mixture of normals truncated to [low, high], one centred on each observed
 * value plus a wide prior centred mid-range. Each kernel's width is the larger distance to its sorted
 * neighbours, clipped to [range / min(100, n + 1), range], so lone points get wide kernels and a cluster
 * does not collapse to a spike. Works in the parameter's internal scale (log for log-uniform ones).
 */
final class NumericParzen {

  private static final double SQRT2 = Math.sqrt(2);

  private final double low;
  private final double high;
  private final double[] mus;
  private final double[] sigmas;
  private final double[] weights;
  /** Each kernel's mass inside [low, high], to renormalise the truncated normal. */
  private final double[] mass;

  /** @param observed values in the internal scale, clamped into [low, high] here */
  NumericParzen(double low, double high, double[] observed) {
    this.low = low;
    this.high = high;
    double range = high - low;
    int n = observed.length;
    mus = new double[n + 1];
    sigmas = new double[n + 1];
    weights = new double[n + 1];
    double[] sorted = Arrays.stream(observed).map(this::clamp).sorted().toArray();
    double minSigma = range / Math.min(100.0, n + 1.0);
    for (int i = 0; i < n; i++) {
      double left = i == 0 ? sorted[i] - low : sorted[i] - sorted[i - 1];
      double right = i == n - 1 ? high - sorted[i] : sorted[i + 1] - sorted[i];
      mus[i] = sorted[i];
      sigmas[i] = Math.min(range, Math.max(minSigma, Math.max(left, right)));
    }
    mus[n] = (low + high) / 2;
    sigmas[n] = range;
    Arrays.fill(weights, 1.0 / (n + 1));
    mass = new double[n + 1];
    for (int i = 0; i <= n; i++) {
      mass[i] = Math.max(1e-12, cdf((high - mus[i]) / sigmas[i]) - cdf((low - mus[i]) / sigmas[i]));
    }
  }

  /** A draw: a kernel by weight, then its truncated normal (rejection; uniform if the kernel is all tail). */
  double sample(Random rng) {
    double u = rng.nextDouble();
    int k = 0;
    for (double acc = weights[0]; k < weights.length - 1 && u >= acc; acc += weights[++k]) {
      // advance to the kernel whose cumulative weight passes u
    }
    for (int tries = 0; tries < 100; tries++) {
      double x = mus[k] + sigmas[k] * rng.nextGaussian();
      if (x >= low && x <= high) {
        return x;
      }
    }
    return low + (high - low) * rng.nextDouble();
  }

  /** Log of the mixture density at x (internal scale). */
  double logDensity(double x) {
    double p = 0;
    for (int i = 0; i < mus.length; i++) {
      double z = (x - mus[i]) / sigmas[i];
      p += weights[i] * Math.exp(-0.5 * z * z) / (sigmas[i] * Math.sqrt(2 * Math.PI) * mass[i]);
    }
    return Math.log(Math.max(p, Double.MIN_NORMAL));
  }

  private double clamp(double x) {
    return Math.min(high, Math.max(low, x));
  }

  private static double cdf(double z) {
    return 0.5 * (1 + Erf.erf(z / SQRT2));
  }
}

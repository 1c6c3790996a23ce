package org.healthpredict.core.tuning;

import java.util.Random;

/**
 * TPE's estimator over a categorical parameter (or the family): each category's probability is its
 * count among the observations plus a prior of one observation spread by the prior weights.
 */
final class CategoricalParzen {

  private final double[] probability;

  /**
   * @param prior the categories' prior weights (need not sum to 1)
   * @param observed observed category indices
   */
  CategoricalParzen(double[] prior, int[] observed) {
    double priorSum = 0;
    for (double w : prior) {
      priorSum += w;
    }
    probability = new double[prior.length];
    for (int i = 0; i < prior.length; i++) {
      probability[i] = prior[i] / priorSum;
    }
    for (int c : observed) {
      probability[c] += 1;
    }
    for (int i = 0; i < prior.length; i++) {
      probability[i] /= observed.length + 1;
    }
  }

  int sample(Random rng) {
    double u = rng.nextDouble();
    double acc = 0;
    for (int i = 0; i < probability.length; i++) {
      acc += probability[i];
      if (u < acc) {
        return i;
      }
    }
    return probability.length - 1;
  }

  double logDensity(int category) {
    return Math.log(probability[category]);
  }
}

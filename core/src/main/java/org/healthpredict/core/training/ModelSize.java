package org.healthpredict.core.training;

import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.tree.TreeEnsembleModel;

/**
 * How many numbers a fitted classifier learned: non-zero coefficients plus intercept for logistic
 * regression, nodes summed over the trees of a forest or boosted ensemble. The one-standard-error rule
 * uses it to prefer the simpler of two models that score alike; NaN for other classifiers.
 */
public final class ModelSize {

  private ModelSize() {}

  public static double of(Transformer model) {
    if (model instanceof LogisticRegressionModel lr) {
      double[] coefficients = lr.coefficientMatrix().toArray();
      long nonZero = java.util.Arrays.stream(coefficients).filter(c -> c != 0).count();
      return nonZero + lr.interceptVector().size();
    }
    if (model instanceof TreeEnsembleModel<?> ensemble) {
      return ensemble.totalNumNodes();
    }
    return Double.NaN;
  }
}

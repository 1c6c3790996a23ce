package org.healthpredict.serving.scoring;

import org.apache.spark.ml.classification.LogisticRegressionModel;

/**
 * A binomial {@link LogisticRegressionModel} from its coefficients and intercept, with Spark's
 * arithmetic: the margin sums coefficient * value over the non-zero features in index order (Spark's
 * dot product for the sparse vectors the assembler gives), then p0 = 1 / (1 + exp(margin)) and the
 * answer is 1 - p0, as raw2probability computes it.
 */
final class LogisticScorer implements VectorScorer {

  private final double[] coefficients;
  private final double intercept;

  private LogisticScorer(double[] coefficients, double intercept) {
    this.coefficients = coefficients;
    this.intercept = intercept;
  }

  /** Binomial models only: a multinomial one (a coefficient row per class) is not this arithmetic. */
  static boolean handles(LogisticRegressionModel model) {
    return model.numClasses() == 2 && model.coefficientMatrix().numRows() == 1;
  }

  static LogisticScorer of(LogisticRegressionModel model) {
    return new LogisticScorer(model.coefficients().toArray(), model.intercept());
  }

  @Override
  public double probability(double[] features) {
    double dot = 0.0;
    for (int i = 0; i < features.length; i++) {
      double x = features[i];
      if (x != 0.0) {
        dot += x * coefficients[i];
      }
    }
    double margin = dot + intercept;
    double rawNegative = -margin;
    double p0 = 1.0 / (1.0 + Math.exp(-rawNegative));
    return 1.0 - p0;
  }

  @Override
  public String describe() {
    return "lr: " + coefficients.length + " coefficients";
  }
}

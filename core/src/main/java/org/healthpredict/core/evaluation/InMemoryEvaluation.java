package org.healthpredict.core.evaluation;

import java.util.Arrays;
import java.util.Comparator;

/**
 * {@link BinaryMetrics} from positive-class probabilities and 0/1 labels held on the driver, computed
 * the way {@link BinaryEvaluation} computes them on the cluster: MLlib's BinaryClassificationMetrics
 * with one bin per distinct score (curves over thresholds in descending order, trapezoidal areas,
 * precision and recall where F1 is highest) and the same clipped log-loss and Brier score.
 *
 * <p>Why it exists: a sweep evaluates every trial at every rung on a validation set of a few hundred
 * to a few tens of thousands of rows, where MLlib's ten or so small Spark jobs cost more than the
 * arithmetic. Collecting the pairs is one job.
 */
final class InMemoryEvaluation {

  private InMemoryEvaluation() {}

  static BinaryMetrics evaluate(double[] probability, double[] label) {
    int n = probability.length;
    if (n == 0) {
      throw new IllegalArgumentException("cannot evaluate a model on an empty data set");
    }
    double positives = 0;
    double logLossSum = 0;
    double brierSum = 0;
    for (int i = 0; i < n; i++) {
      double p = probability[i];
      double clipped = Math.min(Math.max(p, BinaryEvaluation.EPS), 1 - BinaryEvaluation.EPS);
      positives += label[i];
      logLossSum += label[i] == 1 ? -Math.log(clipped) : -Math.log(1 - clipped);
      brierSum += Math.pow(p - label[i], 2);
    }
    Curves curves = Curves.of(probability, label);
    return new BinaryMetrics(n, (long) positives, curves.rocAuc, curves.prAuc, logLossSum / n, brierSum / n,
        curves.bestF1, curves.precisionAtBest, curves.recallAtBest, curves.bestThreshold);
  }

  /** One pass over the distinct scores, highest first, with cumulative true and false positives. */
  private static final class Curves {
    double rocAuc;
    double prAuc;
    double bestF1 = Double.NEGATIVE_INFINITY;
    double bestThreshold;
    double precisionAtBest;
    double recallAtBest;

    static Curves of(double[] probability, double[] label) {
      Integer[] order = new Integer[probability.length];
      Arrays.setAll(order, i -> i);
      Arrays.sort(order, Comparator.comparingDouble((Integer i) -> probability[i]).reversed());
      long totalPositives = 0;
      for (double y : label) {
        totalPositives += y > 0.5 ? 1 : 0;
      }
      long totalNegatives = label.length - totalPositives;

      Curves c = new Curves();
      // MLlib's ROC runs from (0, 0) to (1, 1); its PR curve starts at recall 0 with the precision of the
      // highest threshold (NaN until that is known), so a constant score has the area of its precision.
      double fpr = 0;
      double tpr = 0;
      double recall = 0;
      double precision = Double.NaN;
      long tp = 0;
      long fp = 0;
      for (int k = 0; k < order.length; ) {
        double score = probability[order[k]];
        for (; k < order.length && probability[order[k]] == score; k++) {
          if (label[order[k]] > 0.5) {
            tp++;
          } else {
            fp++;
          }
        }
        double nextFpr = totalNegatives == 0 ? 0 : (double) fp / totalNegatives;
        double nextRecall = totalPositives == 0 ? 0 : (double) tp / totalPositives;
        double nextPrecision = (double) tp / (tp + fp);
        if (Double.isNaN(precision)) {
          precision = nextPrecision;
        }
        c.rocAuc += trapezoid(fpr, tpr, nextFpr, nextRecall);
        c.prAuc += trapezoid(recall, precision, nextRecall, nextPrecision);
        double f1 = nextPrecision + nextRecall == 0 ? 0
            : 2 * (nextPrecision * nextRecall) / (nextPrecision + nextRecall);
        // Ties keep the higher threshold, as MLlib's reduce over the descending curve does.
        if (f1 > c.bestF1) {
          c.bestF1 = f1;
          c.bestThreshold = score;
          c.precisionAtBest = nextPrecision;
          c.recallAtBest = nextRecall;
        }
        fpr = nextFpr;
        tpr = nextRecall;
        recall = nextRecall;
        precision = nextPrecision;
      }
      c.rocAuc += trapezoid(fpr, tpr, 1, 1);
      return c;
    }

    private static double trapezoid(double x1, double y1, double x2, double y2) {
      return (x2 - x1) * (y2 + y1) / 2.0;
    }
  }
}

package org.healthpredict.core.evaluation;

import java.util.List;
import org.apache.spark.sql.Row;

/**
 * Positive-class probabilities and their 0/1 labels, held on the driver: one validation fold's, or
 * the pooled out-of-fold predictions of all folds.
 */
public record ScoredPairs(double[] probability, double[] label) {

  public ScoredPairs {
    if (probability.length != label.length) {
      throw new IllegalArgumentException(probability.length + " probabilities for " + label.length + " labels");
    }
  }

  static ScoredPairs of(List<Row> rows) {
    double[] p = new double[rows.size()];
    double[] y = new double[rows.size()];
    for (int i = 0; i < p.length; i++) {
      p[i] = rows.get(i).getDouble(0);
      y[i] = rows.get(i).getDouble(1);
    }
    return new ScoredPairs(p, y);
  }

  /** All pairs of several parts, in order (the folds' out-of-fold predictions pooled). */
  public static ScoredPairs concat(List<ScoredPairs> parts) {
    int n = parts.stream().mapToInt(ScoredPairs::size).sum();
    double[] p = new double[n];
    double[] y = new double[n];
    int at = 0;
    for (ScoredPairs part : parts) {
      System.arraycopy(part.probability, 0, p, at, part.size());
      System.arraycopy(part.label, 0, y, at, part.size());
      at += part.size();
    }
    return new ScoredPairs(p, y);
  }

  public int size() {
    return probability.length;
  }

  public long positives() {
    long n = 0;
    for (double y : label) {
      n += y > 0.5 ? 1 : 0;
    }
    return n;
  }

  public BinaryMetrics metrics() {
    return InMemoryEvaluation.evaluate(probability, label);
  }
}

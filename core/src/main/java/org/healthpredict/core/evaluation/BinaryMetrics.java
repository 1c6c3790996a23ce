package org.healthpredict.core.evaluation;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Quality of a readmission classifier on one labelled data set. Precision, recall and F1 are taken at
 * the threshold that maximises F1, because with ~11% positives the 0.5 default flags almost no one.
 */
public record BinaryMetrics(
    long rows,
    long positives,
    double rocAuc,
    double prAuc,
    double logLoss,
    double brier,
    double f1,
    double precision,
    double recall,
    double threshold) {

  /** Metric names as logged to MLflow (with a prefix such as "val_"). */
  public Map<String, Double> asMap(String prefix) {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put(prefix + "roc_auc", rocAuc);
    m.put(prefix + "pr_auc", prAuc);
    m.put(prefix + "log_loss", logLoss);
    m.put(prefix + "brier", brier);
    m.put(prefix + "f1", f1);
    m.put(prefix + "precision", precision);
    m.put(prefix + "recall", recall);
    m.put(prefix + "threshold", threshold);
    m.put(prefix + "rows", (double) rows);
    m.put(prefix + "positive_rate", rows == 0 ? 0.0 : (double) positives / rows);
    return m;
  }
}

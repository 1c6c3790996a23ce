package org.healthpredict.core.drift;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.healthpredict.core.evaluation.BinaryEvaluation;
import org.healthpredict.core.evaluation.BinaryMetrics;

/**
 * The model's quality on the current batch against the reference, when the batch carries labels:
 * ROC-AUC, PR-AUC and F1 at the model's decision threshold, and a flag when the chosen metric falls
 * by more than the allowed drop.
 *
 * @param reference metrics on the performance reference (rows, positives, roc_auc, pr_auc, f1)
 * @param current the same on the current batch
 * @param metric the metric that decides
 * @param drop reference minus current for that metric (positive = worse now)
 * @param threshold the allowed drop
 * @param drifted whether the drop exceeds the threshold
 */
public record PerformanceDrift(Map<String, Double> reference, Map<String, Double> current, String metric,
    double drop, double threshold, boolean drifted) {

  public static final List<String> METRICS = List.of("roc_auc", "pr_auc", "f1");

  static PerformanceDrift compare(Map<String, Double> reference, Map<String, Double> current, DriftOptions options) {
    String metric = options.performanceMetric();
    double drop = reference.get(metric) - current.get(metric);
    return new PerformanceDrift(reference, current, metric, drop, options.performanceDrop(),
        drop > options.performanceDrop());
  }

  /**
   * Quality of scored rows (probability vector and 0/1 label columns); empty when the labels hold a
   * single class, where ROC-AUC and PR-AUC are undefined.
   */
  static java.util.Optional<Map<String, Double>> measure(Dataset<Row> scored, String labelCol, String probabilityCol,
      double decisionThreshold) {
    Dataset<Row> labelled = scored.filter(col(labelCol).isNotNull());
    Row counts = labelled.select(BinaryEvaluation.positiveProbability(probabilityCol).as("p"),
            col(labelCol).cast("double").as("y"))
        .agg(sum(lit(1L)), sum(col("y")),
            sum(when(col("p").geq(decisionThreshold).and(col("y").equalTo(1)), 1).otherwise(0)),
            sum(when(col("p").geq(decisionThreshold).and(col("y").equalTo(0)), 1).otherwise(0)))
        .first();
    long rows = counts.isNullAt(0) ? 0 : counts.getLong(0);
    long positives = rows == 0 ? 0 : (long) counts.getDouble(1);
    if (positives == 0 || positives == rows) {
      return java.util.Optional.empty();
    }
    long truePositives = counts.getLong(2);
    long falsePositives = counts.getLong(3);
    BinaryMetrics curves = BinaryEvaluation.evaluate(labelled, labelCol, probabilityCol);
    double precision = truePositives + falsePositives == 0 ? 0 : (double) truePositives / (truePositives + falsePositives);
    double recall = (double) truePositives / positives;
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("rows", (double) rows);
    m.put("positives", (double) positives);
    m.put("roc_auc", curves.rocAuc());
    m.put("pr_auc", curves.prAuc());
    m.put("f1", precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall));
    return java.util.Optional.of(m);
  }
}

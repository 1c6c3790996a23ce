package org.healthpredict.core.evaluation;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log;
import static org.apache.spark.sql.functions.pow;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.functions;
import org.apache.spark.mllib.evaluation.BinaryClassificationMetrics;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.Tuple2;

/**
 * Computes {@link BinaryMetrics} from a scored data set. Up to {@link #IN_MEMORY_ROWS} rows (a
 * validation or test part) are collected in one Spark job and evaluated on the driver; larger sets are
 * evaluated on the cluster, where nothing but the metric curves' summary comes back to the driver.
 * Both give the same numbers.
 */
public final class BinaryEvaluation {

  /** Probabilities are clipped away from 0 and 1 so log-loss stays finite, as scikit-learn does. */
  static final double EPS = 1e-15;

  /** Scored rows evaluated on the driver: two doubles each, a few MB at most. */
  static final int IN_MEMORY_ROWS = 200_000;

  private BinaryEvaluation() {}

  /** Positive-class probability from Spark ML's probability vector column. */
  public static Column positiveProbability(String probabilityCol) {
    return functions.vector_to_array(col(probabilityCol), "float64").getItem(1);
  }

  public static BinaryMetrics evaluate(Dataset<Row> scored, String labelCol, String probabilityCol) {
    Dataset<Row> pairs = pairs(scored, labelCol, probabilityCol);
    List<Row> few = pairs.limit(IN_MEMORY_ROWS + 1).collectAsList();
    if (few.size() > IN_MEMORY_ROWS) {
      return onCluster(pairs);
    }
    return ScoredPairs.of(few).metrics();
  }

  /**
   * The (probability, label) pairs of a scored data set small enough for the driver (a validation
   * fold), for metrics, pooled out-of-fold predictions and threshold choice.
   *
   * @throws IllegalArgumentException if it holds more than {@link #IN_MEMORY_ROWS} rows
   */
  public static ScoredPairs collect(Dataset<Row> scored, String labelCol, String probabilityCol) {
    List<Row> rows = pairs(scored, labelCol, probabilityCol).limit(IN_MEMORY_ROWS + 1).collectAsList();
    if (rows.size() > IN_MEMORY_ROWS) {
      throw new IllegalArgumentException("more than " + IN_MEMORY_ROWS + " scored rows; evaluate them on the cluster");
    }
    return ScoredPairs.of(rows);
  }

  private static Dataset<Row> pairs(Dataset<Row> scored, String labelCol, String probabilityCol) {
    return scored.select(positiveProbability(probabilityCol).as("p"), col(labelCol).cast("double").as("y"));
  }

  /** Evaluates (p, y) pairs with Spark jobs; package-private so tests can compare both ways. */
  static BinaryMetrics onCluster(Dataset<Row> scoredPairs) {
    Dataset<Row> pairs = scoredPairs.cache();
    try {
      Column p = least(greatest(col("p"), lit(EPS)), lit(1 - EPS));
      Row agg = pairs.agg(
          count(lit(1)),
          sum(col("y")),
          avg(when(col("y").equalTo(1), log(p)).otherwise(log(lit(1).minus(p))).multiply(-1)),
          avg(pow(col("p").minus(col("y")), 2))).first();
      long rows = agg.getLong(0);
      if (rows == 0) {
        throw new IllegalArgumentException("cannot evaluate a model on an empty data set");
      }
      long positives = agg.isNullAt(1) ? 0 : (long) agg.getDouble(1);
      JavaRDD<Tuple2<Object, Object>> scoreAndLabel = pairs.javaRDD()
          .map(r -> new Tuple2<>(r.getDouble(0), r.getDouble(1)));
      BinaryClassificationMetrics curves = new BinaryClassificationMetrics(scoreAndLabel.rdd(), 0);
      try {
        Best best = bestF1(curves);
        return new BinaryMetrics(rows, positives, curves.areaUnderROC(), curves.areaUnderPR(),
            agg.getDouble(2), agg.getDouble(3), best.f1, best.precision, best.recall, best.threshold);
      } finally {
        curves.unpersist();
      }
    } finally {
      pairs.unpersist();
    }
  }

  private record Best(double threshold, double f1, double precision, double recall) {}

  /** The threshold with the highest F1, with precision and recall there. */
  private static Best bestF1(BinaryClassificationMetrics curves) {
    Tuple2<Object, Object> bestF1 = curves.fMeasureByThreshold().toJavaRDD()
        .reduce((a, b) -> (double) a._2() >= (double) b._2() ? a : b);
    double threshold = (double) bestF1._1();
    double precision = valueAt(curves.precisionByThreshold().toJavaRDD(), threshold);
    double recall = valueAt(curves.recallByThreshold().toJavaRDD(), threshold);
    return new Best(threshold, (double) bestF1._2(), precision, recall);
  }

  private static double valueAt(JavaRDD<Tuple2<Object, Object>> curve, double threshold) {
    return (double) curve.filter(t -> (double) t._1() == threshold).first()._2();
  }
}

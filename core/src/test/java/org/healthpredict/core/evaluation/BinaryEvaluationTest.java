package org.healthpredict.core.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.healthpredict.core.testing.TestSpark;
import org.junit.jupiter.api.Test;

class BinaryEvaluationTest {

  /** Scores and labels: (0.9, 1), (0.8, 0), (0.7, 1), (0.1, 0). */
  private static Dataset<Row> scored() {
    StructType schema = new StructType()
        .add("label", DataTypes.IntegerType)
        .add("probability", SQLDataTypes.VectorType());
    double[][] rows = {{0.9, 1}, {0.8, 0}, {0.7, 1}, {0.1, 0}};
    List<Row> data = java.util.Arrays.stream(rows)
        .map(r -> RowFactory.create((int) r[1], Vectors.dense(1 - r[0], r[0]))).toList();
    return TestSpark.session().createDataFrame(data, schema);
  }

  @Test
  void matchesAWorkedExample() {
    BinaryMetrics m = BinaryEvaluation.evaluate(scored(), "label", "probability");

    assertThat(m.rows()).isEqualTo(4);
    assertThat(m.positives()).isEqualTo(2);
    // 3 of the 4 positive/negative pairs are ordered correctly.
    assertThat(m.rocAuc()).isCloseTo(0.75, within(1e-12));
    // -(ln .9 + ln .2 + ln .7 + ln .9) / 4
    assertThat(m.logLoss()).isCloseTo(-(Math.log(0.9) + Math.log(0.2) + Math.log(0.7) + Math.log(0.9)) / 4, within(1e-12));
    // (.01 + .64 + .09 + .01) / 4
    assertThat(m.brier()).isCloseTo(0.1875, within(1e-12));
    // At 0.7 both positives and one negative are flagged: precision 2/3, recall 1, F1 0.8 (the best).
    assertThat(m.threshold()).isEqualTo(0.7);
    assertThat(m.f1()).isCloseTo(0.8, within(1e-12));
    assertThat(m.precision()).isCloseTo(2.0 / 3, within(1e-12));
    assertThat(m.recall()).isEqualTo(1.0);
    // Trapezoids over recall/precision points (0,1) (.5,1) (.5,.5) (1,2/3) (1,.5).
    assertThat(m.prAuc()).isCloseTo(0.5 + 0.5 * (0.5 + 2.0 / 3) / 2, within(1e-12));
  }

  /**
   * Collected and evaluated on the driver, or evaluated with MLlib's Spark jobs: the same numbers, on
   * 3,000 scores with many ties (two decimals) whose highest score is shared by one positive and three
   * negatives, so the PR curve's first point (recall 0, precision 1/4) matters.
   */
  @Test
  void inMemoryEvaluationEqualsTheClusterOne() {
    java.util.Random random = new java.util.Random(7);
    List<double[]> pairs = new java.util.ArrayList<>();
    pairs.addAll(List.of(new double[] {0.995, 0}, new double[] {0.995, 1}, new double[] {0.995, 0},
        new double[] {0.995, 0}));
    for (int i = 0; i < 3_000; i++) {
      double p = Math.round(random.nextDouble() * 100) / 100.0 * 0.99;
      pairs.add(new double[] {p, random.nextDouble() < p * 0.4 ? 1 : 0});
    }
    StructType schema = new StructType().add("label", DataTypes.IntegerType)
        .add("probability", SQLDataTypes.VectorType());
    Dataset<Row> scored = TestSpark.session().createDataFrame(pairs.stream()
        .map(r -> RowFactory.create((int) r[1], Vectors.dense(1 - r[0], r[0]))).toList(), schema).repartition(3);

    BinaryMetrics inMemory = BinaryEvaluation.evaluate(scored, "label", "probability");
    BinaryMetrics onCluster = BinaryEvaluation.onCluster(scored.select(
        BinaryEvaluation.positiveProbability("probability").as("p"), scored.col("label").cast("double").as("y")));

    assertThat(inMemory.rows()).isEqualTo(3_004).isEqualTo(onCluster.rows());
    assertThat(inMemory.positives()).isEqualTo(onCluster.positives()).isBetween(400L, 800L);
    assertThat(inMemory.threshold()).isEqualTo(onCluster.threshold());
    double[] a = {inMemory.rocAuc(), inMemory.prAuc(), inMemory.logLoss(), inMemory.brier(), inMemory.f1(),
        inMemory.precision(), inMemory.recall()};
    double[] b = {onCluster.rocAuc(), onCluster.prAuc(), onCluster.logLoss(), onCluster.brier(), onCluster.f1(),
        onCluster.precision(), onCluster.recall()};
    for (int i = 0; i < a.length; i++) {
      assertThat(a[i]).as("metric %d of %s", i, inMemory).isCloseTo(b[i], within(1e-12));
    }
    assertThat(inMemory.rocAuc()).isBetween(0.6, 0.9);
  }

  /** A constant score ranks nothing: its PR-AUC is the positive rate, its ROC-AUC one half. */
  @Test
  void aConstantScoreHasThePositiveRateAsPrAuc() {
    StructType schema = new StructType().add("label", DataTypes.IntegerType)
        .add("probability", SQLDataTypes.VectorType());
    List<Row> rows = java.util.stream.IntStream.range(0, 40)
        .mapToObj(i -> RowFactory.create(i % 8 == 0 ? 1 : 0, Vectors.dense(0.9, 0.1))).toList();

    BinaryMetrics m = BinaryEvaluation.evaluate(TestSpark.session().createDataFrame(rows, schema), "label",
        "probability");

    assertThat(m.prAuc()).isCloseTo(5.0 / 40, within(1e-12));
    assertThat(m.rocAuc()).isCloseTo(0.5, within(1e-12));
  }

  @Test
  void metricsAreNamedWithTheirPrefix() {
    BinaryMetrics m = BinaryEvaluation.evaluate(scored(), "label", "probability");
    assertThat(m.asMap("val_")).containsEntry("val_roc_auc", 0.75).containsEntry("val_rows", 4.0)
        .containsEntry("val_positive_rate", 0.5);
  }
}

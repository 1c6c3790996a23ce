package org.healthpredict.core.drift;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.rand;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.when;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.healthpredict.core.testing.SampleData;
import org.healthpredict.core.testing.TestSpark;
import org.junit.jupiter.api.Test;

/**
 * Drift detection on real data: i.i.d. halves of the sample must not raise data set drift, and shifts
 * injected into a copy must be found on exactly the shifted features.
 */
class DriftDetectionTest {

  private static final DriftRunner.Inputs NAMES = new DriftRunner.Inputs("reference", "current", null);

  private final DriftRunner runner = new DriftRunner(TestSpark.session(), line -> {});

  @Test
  void twentyPairsOfIidHalvesRaiseDataSetDriftAtMostOnce() {
    Dataset<Row> sample = SampleData.typed();
    int alarms = 0;
    List<String> perPair = new ArrayList<>();
    for (long seed = 1; seed <= 20; seed++) {
      Dataset<Row>[] halves = sample.randomSplit(new double[] {0.5, 0.5}, seed);
      DriftReport report = runner.compare(halves[0], halves[1], NAMES, Optional.empty(), DriftOptions.EVIDENTLY_DEFAULTS);
      alarms += report.datasetDrift() ? 1 : 0;
      perPair.add(String.format("%.2f", report.shareDrifted()));
      // ~2,500 rows a side: larger than 1,000, so Evidently's distances decide, not p-values.
      assertThat(report.features()).filteredOn(f -> f.feature().name().equals("num_medications"))
          .singleElement().extracting(FeatureDrift::test).isEqualTo(DriftTest.WASSERSTEIN);
    }
    assertThat(alarms).as("data set drift among 20 i.i.d. pairs; share drifted per pair: %s", perPair)
        .isLessThanOrEqualTo(1);
  }

  @Test
  void injectedShiftsAreFoundOnExactlyTheShiftedFeatures() {
    // Two independent bootstrap samples of the real rows: the same distribution, 60k rows a side, so
    // sampling noise on codes with hundreds of values (diag_1..3) stays well under the 0.1 distance.
    Dataset<Row> sample = SampleData.typed();
    Dataset<Row> reference = sample.sample(true, 12.0, 1);
    Dataset<Row> current = sample.sample(true, 12.0, 2)
        .withColumn("age", when(rand(3).lt(0.5), olderBand(col("age"))).otherwise(col("age")))
        .withColumn("medical_specialty", when(rand(4).lt(0.3), lit("Telemedicine")).otherwise(col("medical_specialty")))
        .withColumn("num_medications", round(col("num_medications").multiply(1.3)).cast("int"));

    DriftReport report = runner.compare(reference, current, NAMES, Optional.empty(), DriftOptions.EVIDENTLY_DEFAULTS);

    List<String> drifted = report.features().stream().filter(FeatureDrift::drifted).map(f -> f.feature().name()).toList();
    // age_years is the engineered form of age: it moves with it.
    assertThat(drifted).as(describe(report))
        .containsExactlyInAnyOrder("age", "age_years", "medical_specialty", "num_medications");
    assertThat(report.datasetDrift()).isFalse();
  }

  /** One decade older, [90-100) staying where it is. */
  private static Column olderBand(Column age) {
    Column shifted = lit(null).cast("string");
    for (int lower = 80; lower >= 0; lower -= 10) {
      shifted = when(age.equalTo("[" + lower + "-" + (lower + 10) + ")"),
          lit("[" + (lower + 10) + "-" + (lower + 20) + ")")).otherwise(shifted);
    }
    return when(age.equalTo("[90-100)"), age).otherwise(shifted);
  }

  private static String describe(DriftReport report) {
    StringBuilder out = new StringBuilder("top features:");
    report.features().stream().limit(8).forEach(f -> out.append(String.format(" %s %s=%.4f;", f.feature().name(),
        f.test() == null ? "-" : f.test().key(), f.score())));
    return out.toString();
  }
}

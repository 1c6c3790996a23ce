package org.healthpredict.core.sweep;

import static org.apache.spark.sql.functions.countDistinct;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.healthpredict.core.evaluation.BinaryMetrics;
import org.healthpredict.core.testing.SampleSplit;
import org.healthpredict.core.testing.TestSpark;
import org.healthpredict.core.training.TrainingData;
import org.healthpredict.core.tuning.Job;
import org.healthpredict.core.tuning.ResourceSpec;
import org.healthpredict.core.tuning.TrialConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Patient-grouped folds on the sample's train + validation rows, and a trial scored on them. */
class CrossValidationTest {

  private static TrainingData split;
  private static Dataset<Row> fitRows;
  private static FeaturisedData data;

  @BeforeAll
  static void featurise() {
    split = TrainingData.ofSplit(TestSpark.session(), SampleSplit.uri());
    fitRows = split.train().unionByName(split.validation());
    data = FeaturisedData.prepare(fitRows, 3, 7);
  }

  @AfterAll
  static void release() {
    data.close();
  }

  private static final ResourceSpec ITERATIONS = new ResourceSpec(ResourceSpec.Kind.ITERATIONS, "maxIter", 5, 20);

  private static Job lr(double regParam, double elasticNet) {
    return new Job(0, new TrialConfig("lr", Map.of("regParam", regParam, "elasticNetParam", elasticNet)), 1, 20,
        ITERATIONS);
  }

  @Test
  void everyPatientFallsInExactlyOneFoldTheSameOnEveryRun() {
    Dataset<Row> assigned = PatientFolds.assign(fitRows, 5, 7);
    long mixed = assigned.groupBy(PatientFolds.PATIENT).agg(countDistinct(PatientFolds.FOLD).as("folds"))
        .filter("folds > 1").count();
    assertThat(mixed).isZero();
    List<Row> sizes = assigned.groupBy(PatientFolds.FOLD).count().orderBy(PatientFolds.FOLD).collectAsList();
    assertThat(sizes).hasSize(5);
    long rows = fitRows.count();
    sizes.forEach(r -> assertThat(r.getLong(1)).isBetween((long) (rows / 5 * 0.8), (long) (rows / 5 * 1.2)));
    assertThat(PatientFolds.assign(fitRows, 5, 7).except(assigned).count()).isZero();
    assertThat(PatientFolds.assign(fitRows, 5, 8).except(assigned).count()).as("another seed, other folds")
        .isGreaterThan(rows / 2);
  }

  @Test
  void aTrialHoldsOutEveryTrainAndValidationRowOnceAndNoTestRow() {
    long rows = split.train().count() + split.validation().count();
    assertThat(data.all().count()).isEqualTo(rows);
    assertThat(data.foldTrain(1).count() + data.foldValidation(1).count()).isEqualTo(rows);

    TrialTrainer.Fitted all = new TrialTrainer(data, 1).fit(lr(0.01, 0.0), 3, true, SweepMetric.ROC_AUC);
    assertThat(all.outOfFold().size()).isEqualTo(rows);
    assertThat(all.perFold()).hasSize(3);
    double[] perFold = all.perFold().stream().mapToDouble(BinaryMetrics::rocAuc).toArray();
    assertThat(all.score().mean()).isCloseTo(Arrays.stream(perFold).average().orElseThrow(), within(1e-12));
    assertThat(all.score().standardError()).isGreaterThan(0).isLessThan(0.05);
    assertThat(all.score().folds()).isEqualTo(3);
    assertThat(all.score().degenerate()).isFalse();
    assertThat(all.score().mean()).as("a regularised regression ranks readmissions").isGreaterThan(0.58);
    assertThat(all.score().complexity()).as("non-zero coefficients + intercept").isGreaterThan(10);

    TrialTrainer.Fitted two = new TrialTrainer(data, 1).fit(lr(0.01, 0.0), 2, false, SweepMetric.ROC_AUC);
    assertThat(two.outOfFold().size()).isEqualTo(data.foldValidation(0).count() + data.foldValidation(1).count());
    assertThat(two.perFold().get(0)).as("the same first fold at every rung").isEqualTo(all.perFold().get(0));
  }

  @Test
  void aModelWithOneProbabilityForEveryoneIsDegenerate() {
    // L1 this strong zeroes every coefficient: the intercept alone is left.
    TrialTrainer.Fitted constant = new TrialTrainer(data, 1).fit(lr(1000, 1.0), 2, false, SweepMetric.ROC_AUC);
    assertThat(constant.score().degenerate()).isTrue();
    assertThat(constant.score().mean()).isEqualTo(0.5);
    assertThat(constant.score().complexity()).isEqualTo(1.0);
  }
}

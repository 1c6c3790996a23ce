package org.healthpredict.core.training;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.spark.ml.classification.RandomForestClassificationModel;
import org.apache.spark.ml.classification.RandomForestClassifier;
import org.healthpredict.core.data.RawSchema;
import org.healthpredict.core.evaluation.BinaryEvaluation;
import org.healthpredict.core.evaluation.DegenerateCheck;
import org.healthpredict.core.evaluation.ScoredPairs;
import org.healthpredict.core.sweep.FeaturisedData;
import org.healthpredict.core.testing.SampleSplit;
import org.healthpredict.core.testing.TestSpark;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * MLlib's forest with large leaves predicts one probability for nearly everyone (its same-class
 * pruning); the same forest grown without that pruning ranks patients.
 */
class UnprunedRandomForestClassifierTest {

  private static FeaturisedData data;

  @BeforeAll
  static void featurise() {
    TrainingData split = TrainingData.ofSplit(TestSpark.session(), SampleSplit.whole());
    data = FeaturisedData.prepare(split.train().unionByName(split.validation()), 5, 3);
  }

  @AfterAll
  static void release() {
    data.close();
  }

  private static <T extends RandomForestClassifier> T configure(T forest) {
    forest.setNumTrees(20).setMaxDepth(6).setMinInstancesPerNode(30).setSeed(5).setLabelCol(RawSchema.TARGET)
        .setFeaturesCol(FeaturisedData.featuresColumn("rf"));
    return forest;
  }

  private static ScoredPairs heldOut(RandomForestClassificationModel model) {
    return BinaryEvaluation.collect(model.transform(data.foldValidation(0)), RawSchema.TARGET, "probability");
  }

  @Test
  void largeLeavesCollapseMllibsForestButNotTheUnprunedOne() {
    RandomForestClassificationModel pruned = configure(new RandomForestClassifier()).fit(data.foldTrain(0));
    RandomForestClassificationModel unpruned = configure(new UnprunedRandomForestClassifier()).fit(data.foldTrain(0));

    ScoredPairs mllib = heldOut(pruned);
    ScoredPairs ours = heldOut(unpruned);
    assertThat(DegenerateCheck.largestTie(mllib.probability())).as("MLlib: one probability for every patient")
        .isGreaterThan(0.99);
    assertThat(mllib.metrics().rocAuc()).isEqualTo(0.5);
    assertThat(DegenerateCheck.largestTie(ours.probability())).isLessThan(0.05);
    assertThat(ours.metrics().rocAuc()).isGreaterThan(0.65);
    // The same forest otherwise: same number of trees, each with at least as many nodes as MLlib's.
    assertThat(unpruned.getNumTrees()).isEqualTo(pruned.getNumTrees());
    for (int i = 0; i < pruned.getNumTrees(); i++) {
      assertThat(unpruned.trees()[i].numNodes()).isGreaterThan(pruned.trees()[i].numNodes());
    }
    assertThat(unpruned.getMinInstancesPerNode()).isEqualTo(30);
  }

  @Test
  void copiesKeepTheUnprunedTraining() {
    RandomForestClassifier copy = configure(new UnprunedRandomForestClassifier()).copy(
        new org.apache.spark.ml.param.ParamMap());
    assertThat(copy).isInstanceOf(UnprunedRandomForestClassifier.class);
    assertThat(Classifiers.create("rf", java.util.Map.of(), 1)).isInstanceOf(UnprunedRandomForestClassifier.class);
  }
}

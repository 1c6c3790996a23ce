package org.healthpredict.core.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.apache.spark.ml.classification.GBTClassificationModel;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamPair;
import org.apache.spark.sql.Row;
import org.healthpredict.core.data.RawSchema;
import org.healthpredict.core.sweep.FeaturisedData;
import org.healthpredict.core.testing.SampleSplit;
import org.healthpredict.core.testing.TestSpark;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The warm-started GBT is MLlib's GBT, tree for tree, on the training folds of the sample's featurised rows. */
class GbtWarmStartTest {

  private static FeaturisedData data;

  @BeforeAll
  static void featurise() {
    TrainingData split = TrainingData.ofSplit(TestSpark.session(), SampleSplit.uri());
    data = FeaturisedData.prepare(split.train().unionByName(split.validation()), 5, 1);
  }

  @AfterAll
  static void release() {
    data.close();
  }

  /** Subsampling on, so every tree's seed matters. */
  private static GBTClassifier gbt(int iterations, int maxDepth) {
    return new GBTClassifier().setMaxIter(iterations).setMaxDepth(maxDepth).setStepSize(0.2)
        .setSubsamplingRate(0.8).setSeed(11).setLabelCol(RawSchema.TARGET)
        .setFeaturesCol(FeaturisedData.featuresColumn("gbt"));
  }

  @Test
  void fromScratchItIsMllibsFit() {
    GBTClassifier classifier = gbt(5, 3);
    assertSameModel(GbtWarmStart.fit(classifier, data.foldTrain(0), null), classifier.fit(data.foldTrain(0)));
  }

  @Test
  void continuingAnEarlierFitGivesTheFitFromScratch() {
    GBTClassificationModel two = GbtWarmStart.fit(gbt(2, 4), data.foldTrain(0), null);
    GBTClassifier classifier = gbt(6, 4);
    GBTClassificationModel six = GbtWarmStart.fit(classifier, data.foldTrain(0), two);

    GBTClassificationModel scratch = classifier.fit(data.foldTrain(0));
    assertSameModel(six, scratch);
    assertThat(six.getNumTrees()).isEqualTo(6);
    // The first trees are the earlier fit's own objects: they were not fitted again.
    assertThat(six.trees()[1]).isSameAs(two.trees()[1]);
    assertThat(six.trees()[2]).isNotSameAs(two.trees()[1]);
  }

  @Test
  void anotherConfigurationIsRefusedByName() {
    GBTClassificationModel two = GbtWarmStart.fit(gbt(2, 4), data.foldTrain(0), null);

    assertThatThrownBy(() -> GbtWarmStart.fit(gbt(6, 5), data.foldTrain(0), two))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxDepth=4")
        .hasMessageContaining("maxDepth=5");
    assertThatThrownBy(() -> GbtWarmStart.fit(gbt(1, 4), data.foldTrain(0), two))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 trees with 1 iterations");
  }

  /** Same trees (splits, thresholds, leaf values, weights), same params, same probabilities. */
  private static void assertSameModel(GBTClassificationModel actual, GBTClassificationModel expected) {
    assertThat(actual.toDebugString()).isEqualTo(expected.toDebugString());
    assertThat(actual.treeWeights()).containsExactly(expected.treeWeights());
    for (ParamPair<?> p : expected.extractParamMap().toList()) {
      assertThat(actual.getOrDefault(actual.getParam(p.param().name()))).as(p.param().name()).isEqualTo(p.value());
    }
    List<Row> a = actual.transform(data.foldValidation(0)).select("probability").collectAsList();
    List<Row> e = expected.transform(data.foldValidation(0)).select("probability").collectAsList();
    assertThat(a).hasSize(e.size()).hasSizeGreaterThan(100);
    for (int i = 0; i < a.size(); i++) {
      assertThat(((Vector) a.get(i).get(0)).toArray()).containsExactly(((Vector) e.get(i).get(0)).toArray());
    }
  }
}

package org.healthpredict.core.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.NaiveBayes;
import org.apache.spark.ml.classification.RandomForestClassifier;
import org.healthpredict.core.features.ModelFamily;
import org.junit.jupiter.api.Test;

class ClassifiersTest {

  @Test
  void textParametersAreReadInTheParamsOwnType() {
    LogisticRegression lr = (LogisticRegression) Classifiers.create(ModelFamily.LR,
        Map.of("regParam", "1000", "maxIter", "7", "fitIntercept", "false"), 1);
    assertThat(lr.getRegParam()).isEqualTo(1000.0);
    assertThat(lr.getMaxIter()).isEqualTo(7);
    assertThat(lr.getFitIntercept()).isFalse();
  }

  @Test
  void searchSpaceNumbersAreCoercedToTheParamsType() {
    RandomForestClassifier rf = (RandomForestClassifier) Classifiers.create("rf",
        Map.of("maxDepth", 4.0, "subsamplingRate", 1, "featureSubsetStrategy", "sqrt"), 1);
    assertThat(rf.getMaxDepth()).isEqualTo(4);
    assertThat(rf.getSubsamplingRate()).isEqualTo(1.0);
    assertThat(rf.getFeatureSubsetStrategy()).isEqualTo("sqrt");
  }

  @Test
  void defaultsAreOursUntilOverridden() {
    GBTClassifier gbt = (GBTClassifier) Classifiers.create(ModelFamily.GBT, Map.of(), 3);
    assertThat(gbt.getMaxIter()).isEqualTo(50);
    assertThat(gbt.getMaxDepth()).isEqualTo(5);
    assertThat(gbt.getSeed()).isEqualTo(3L);
  }

  @Test
  void anyProbabilisticClassifierCanBeNamedByClass() {
    assertThat(Classifiers.create("org.apache.spark.ml.classification.NaiveBayes", Map.of("smoothing", "2"), 1))
        .isInstanceOfSatisfying(NaiveBayes.class, nb -> assertThat(nb.getSmoothing()).isEqualTo(2.0));
    assertThat(Classifiers.needsScaling("org.apache.spark.ml.classification.NaiveBayes")).isTrue();
    assertThat(Classifiers.needsScaling("org.apache.spark.ml.classification.DecisionTreeClassifier")).isFalse();
  }

  @Test
  void badParametersAndFamiliesAreNamed() {
    assertThatThrownBy(() -> Classifiers.create(ModelFamily.RF, Map.of("maxDepht", "4"), 1))
        .hasMessageContaining("unknown parameter 'maxDepht' for rf").hasMessageContaining("maxDepth");
    assertThatThrownBy(() -> Classifiers.create(ModelFamily.GBT, Map.of("maxIter", "many"), 1))
        .hasMessageContaining("parameter maxIter: cannot read 'many' as int");
    assertThatThrownBy(() -> Classifiers.create(ModelFamily.GBT, Map.of("maxIter", 2.5), 1))
        .hasMessageContaining("expected a whole number");
    assertThatThrownBy(() -> Classifiers.create("org.apache.spark.ml.classification.LinearSVC", Map.of(), 1))
        .hasMessageContaining("not a probabilistic MLlib classifier");
    assertThatThrownBy(() -> Classifiers.create("xgboost", Map.of(), 1))
        .hasMessageContaining("unknown model family 'xgboost'");
  }
}

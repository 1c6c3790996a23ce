package org.healthpredict.serving.scoring;

import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.classification.DecisionTreeClassificationModel;
import org.apache.spark.ml.classification.GBTClassificationModel;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.classification.ProbabilisticClassificationModel;
import org.apache.spark.ml.classification.RandomForestClassificationModel;
import org.apache.spark.ml.linalg.Vector;

/** Picks how a fitted classifier scores one vector: own arithmetic where we have it, Spark's otherwise. */
final class VectorScorers {

  private VectorScorers() {}

  @SuppressWarnings("unchecked")
  static VectorScorer of(Transformer classifier) {
    if (classifier instanceof LogisticRegressionModel lr && LogisticScorer.handles(lr)) {
      return LogisticScorer.of(lr);
    }
    if (classifier instanceof RandomForestClassificationModel rf) {
      return ForestScorer.of(rf);
    }
    if (classifier instanceof DecisionTreeClassificationModel tree) {
      return ForestScorer.of(tree);
    }
    if (classifier instanceof GBTClassificationModel gbt) {
      return BoostedTreesScorer.of(gbt);
    }
    if (classifier instanceof ProbabilisticClassificationModel<?, ?> other) {
      return new SparkVectorScorer((ProbabilisticClassificationModel<Vector, ?>) other);
    }
    throw new IllegalArgumentException("the row scorer cannot apply stage " + classifier.getClass().getName()
        + " (uid " + classifier.uid() + "): the last stage must be a probabilistic classifier");
  }
}

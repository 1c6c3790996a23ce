package org.healthpredict.serving.scoring;

import org.apache.spark.ml.classification.ProbabilisticClassificationModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;

/**
 * Any other probabilistic MLlib classifier (the tuner accepts class names, e.g. NaiveBayes) through
 * its own public {@code predictProbability(Vector)}: still no Spark query per record, just Spark's
 * per-vector code. The vector is compressed as the assembler's output is (sparse when that is smaller).
 */
final class SparkVectorScorer implements VectorScorer {

  private final ProbabilisticClassificationModel<Vector, ?> model;

  SparkVectorScorer(ProbabilisticClassificationModel<Vector, ?> model) {
    this.model = model;
  }

  @Override
  public double probability(double[] features) {
    return model.predictProbability(Vectors.dense(features).compressed()).apply(1);
  }

  @Override
  public String describe() {
    return model.getClass().getSimpleName() + ": Spark predictProbability per vector";
  }
}

package org.healthpredict.serving.scoring;

/** A fitted classifier applied to one assembled feature vector, dense, in the pipeline's feature order. */
interface VectorScorer {

  /** Probability of class 1 (readmission within 30 days). */
  double probability(double[] features);

  /** What evaluates the classifier, e.g. "rf: 100 trees, flat evaluator". */
  String describe();
}

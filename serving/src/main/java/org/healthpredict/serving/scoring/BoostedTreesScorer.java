package org.healthpredict.serving.scoring;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.blas.JavaBLAS;
import dev.ludovic.netlib.blas.NativeBLAS;
import org.apache.spark.ml.classification.GBTClassificationModel;
import org.apache.spark.ml.tree.Node;

/**
 * A {@link GBTClassificationModel} over its flattened regression trees, with Spark's arithmetic:
 * margin = the dot product of the trees' leaf predictions with the tree weights, taken with the same
 * BLAS Spark uses (native if present, else netlib's Java one), so even the summation order matches;
 * then p0 = LogLoss.computeProbability(-margin) = 1 / (1 + exp(2 * margin)) and the answer is 1 - p0.
 */
final class BoostedTreesScorer implements VectorScorer {

  /** Spark's BLAS.nativeBLAS: the native library when it loads, the Java implementation otherwise. */
  private static final BLAS SPARK_BLAS = sparkBlas();

  private final FlatTrees trees;
  private final double[] weights;

  private BoostedTreesScorer(FlatTrees trees, double[] weights) {
    this.trees = trees;
    this.weights = weights;
  }

  static BoostedTreesScorer of(GBTClassificationModel model) {
    Node[] roots = new Node[model.trees().length];
    for (int t = 0; t < roots.length; t++) {
      roots[t] = model.trees()[t].rootNode();
    }
    FlatTrees trees = FlatTrees.of(roots, 1, leaf -> new double[] {leaf.prediction()});
    return new BoostedTreesScorer(trees, model.treeWeights().clone());
  }

  @Override
  public double probability(double[] features) {
    double[] leafValues = trees.leafValues();
    double[] predictions = new double[trees.trees()];
    for (int t = 0; t < predictions.length; t++) {
      predictions[t] = leafValues[trees.leafOffset(t, features)];
    }
    double margin = SPARK_BLAS.ddot(predictions.length, predictions, 1, weights, 1);
    double rawNegative = -margin;
    double p0 = 1.0 / (1.0 + Math.exp(-2.0 * rawNegative));
    return 1.0 - p0;
  }

  @Override
  public String describe() {
    return "gbt: " + trees.trees() + " trees, " + trees.internalNodes() + " splits (" + trees.categoricalSplits()
        + " categorical), flat evaluator";
  }

  private static BLAS sparkBlas() {
    try {
      return NativeBLAS.getInstance();
    } catch (Throwable notAvailable) {
      return JavaBLAS.getInstance();
    }
  }
}

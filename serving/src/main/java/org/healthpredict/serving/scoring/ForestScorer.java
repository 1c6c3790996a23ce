package org.healthpredict.serving.scoring;

import org.apache.spark.ml.classification.DecisionTreeClassificationModel;
import org.apache.spark.ml.classification.RandomForestClassificationModel;
import org.apache.spark.ml.tree.LeafNode;
import org.apache.spark.ml.tree.Node;

/**
 * Classification trees voting as Spark's models do. Random forest: each tree's leaf class counts
 * divided by their total (a tree whose leaf has none votes nothing), summed tree by tree, then
 * normalised. A single decision tree: its leaf's raw class counts, normalised. The per-leaf division
 * happens once when the scorer is built; the additions run in Spark's order, so the numbers match
 * Spark's to the last bit.
 */
final class ForestScorer implements VectorScorer {

  private final FlatTrees trees;
  private final int classes;
  private final String name;

  private ForestScorer(FlatTrees trees, int classes, String name) {
    this.trees = trees;
    this.classes = classes;
    this.name = name;
  }

  static ForestScorer of(RandomForestClassificationModel model) {
    int classes = model.numClasses();
    Node[] roots = new Node[model.trees().length];
    for (int t = 0; t < roots.length; t++) {
      roots[t] = model.trees()[t].rootNode();
    }
    return new ForestScorer(FlatTrees.of(roots, classes, ForestScorer::normalisedCounts), classes, "rf");
  }

  static ForestScorer of(DecisionTreeClassificationModel model) {
    return new ForestScorer(FlatTrees.of(new Node[] {model.rootNode()}, model.numClasses(),
        leaf -> leaf.impurityStats().stats().clone()), model.numClasses(), "decision tree");
  }

  private static double[] normalisedCounts(LeafNode leaf) {
    double[] counts = leaf.impurityStats().stats();
    double total = 0.0;
    for (double c : counts) {
      total += c;
    }
    double[] votes = new double[counts.length];
    if (total != 0) {
      for (int k = 0; k < counts.length; k++) {
        votes[k] = counts[k] / total;
      }
    }
    return votes;
  }

  @Override
  public double probability(double[] features) {
    double[] leafValues = trees.leafValues();
    if (classes == 2) {
      // The common case without a votes array: two running sums, tree by tree as Spark adds them.
      double no = 0.0;
      double yes = 0.0;
      for (int t = 0; t < trees.trees(); t++) {
        int at = trees.leafOffset(t, features);
        no += leafValues[at];
        yes += leafValues[at + 1];
      }
      return yes / (0.0 + no + yes);
    }
    double[] votes = new double[classes];
    for (int t = 0; t < trees.trees(); t++) {
      int at = trees.leafOffset(t, features);
      for (int k = 0; k < classes; k++) {
        votes[k] += leafValues[at + k];
      }
    }
    double sum = 0.0;
    for (double v : votes) {
      sum += v;
    }
    return votes[1] / sum;
  }

  @Override
  public String describe() {
    return name + ": " + trees.trees() + (trees.trees() == 1 ? " tree, " : " trees, ") + trees.internalNodes()
        + " splits (" + trees.categoricalSplits() + " categorical), flat evaluator";
  }
}

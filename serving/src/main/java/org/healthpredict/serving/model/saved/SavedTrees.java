package org.healthpredict.serving.model.saved;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.parquet.example.data.Group;
import org.apache.spark.ml.classification.DecisionTreeClassificationModel;
import org.apache.spark.ml.classification.GBTClassificationModel;
import org.apache.spark.ml.classification.RandomForestClassificationModel;
import org.apache.spark.ml.regression.DecisionTreeRegressionModel;
import org.apache.spark.ml.tree.DecisionTreeModelReadWrite$;
import org.apache.spark.ml.tree.DecisionTreeModelReadWrite.NodeData;
import org.apache.spark.ml.tree.DecisionTreeModelReadWrite.SplitData;
import org.apache.spark.ml.tree.Node;

/**
 * Tree models from their saved node tables, the way Spark's tree readers rebuild them: every node row
 * becomes Spark's own {@code NodeData}, and Spark's {@code buildTreeFromNodes} links them, so the trees
 * are the very objects {@code load} would give. Single trees store one node per row; ensembles store
 * {@code (treeID, nodeData)} rows and each tree's metadata and weight in {@code treesMetadata}.
 */
final class SavedTrees {

  private SavedTrees() {}

  static DecisionTreeClassificationModel decisionTree(SavedStage stage) {
    List<NodeData> nodes = new ArrayList<>();
    for (Group row : stage.rows("data")) {
      nodes.add(node(row));
    }
    Node root = build(nodes, stage.stringParam("impurity"));
    DecisionTreeClassificationModel model = new DecisionTreeClassificationModel(stage.uid(), root,
        stage.intField("numFeatures"), stage.intField("numClasses"));
    stage.setParams(model);
    return model;
  }

  static RandomForestClassificationModel randomForest(SavedStage stage) {
    int numFeatures = stage.intField("numFeatures");
    int numClasses = stage.intField("numClasses");
    Ensemble ensemble = ensemble(stage);
    DecisionTreeClassificationModel[] trees = new DecisionTreeClassificationModel[ensemble.roots.size()];
    for (int i = 0; i < trees.length; i++) {
      SavedStage tree = ensemble.metadata.get(i);
      trees[i] = new DecisionTreeClassificationModel(tree.uid(), ensemble.roots.get(i), numFeatures, numClasses);
      tree.setParams(trees[i]);
    }
    RandomForestClassificationModel model = new RandomForestClassificationModel(stage.uid(), trees, numFeatures,
        numClasses);
    stage.setParams(model);
    return model;
  }

  static GBTClassificationModel boostedTrees(SavedStage stage) {
    int numFeatures = stage.intField("numFeatures");
    // Spark's reader assumes two classes when older metadata does not say.
    int numClasses = stage.intField("numClasses", 2);
    Ensemble ensemble = ensemble(stage);
    DecisionTreeRegressionModel[] trees = new DecisionTreeRegressionModel[ensemble.roots.size()];
    for (int i = 0; i < trees.length; i++) {
      SavedStage tree = ensemble.metadata.get(i);
      trees[i] = new DecisionTreeRegressionModel(tree.uid(), ensemble.roots.get(i), numFeatures);
      tree.setParams(trees[i]);
    }
    GBTClassificationModel model = new GBTClassificationModel(stage.uid(), trees, ensemble.weights, numFeatures,
        numClasses);
    stage.setParams(model);
    return model;
  }

  /** An ensemble's trees in treeID order: their roots, metadata and weights. */
  private record Ensemble(List<Node> roots, List<SavedStage> metadata, double[] weights) {}

  private static Ensemble ensemble(SavedStage stage) {
    String impurity = stage.stringParam("impurity");
    Map<Integer, List<NodeData>> nodesByTree = new TreeMap<>();
    for (Group row : stage.rows("data")) {
      nodesByTree.computeIfAbsent(row.getInteger("treeID", 0), id -> new ArrayList<>())
          .add(node(row.getGroup("nodeData", 0)));
    }
    Map<Integer, Group> metadataByTree = new TreeMap<>();
    for (Group row : stage.rows("treesMetadata")) {
      metadataByTree.put(row.getInteger("_1", 0), row);
    }
    int numTrees = stage.intField("numTrees");
    if (nodesByTree.size() != numTrees || metadataByTree.size() != numTrees) {
      throw new IllegalArgumentException(stage.uri() + ": metadata says " + numTrees + " trees, but data holds "
          + nodesByTree.size() + " and treesMetadata " + metadataByTree.size());
    }
    List<Node> roots = new ArrayList<>();
    List<SavedStage> metadata = new ArrayList<>();
    double[] weights = new double[numTrees];
    int i = 0;
    for (Map.Entry<Integer, Group> entry : metadataByTree.entrySet()) {
      List<NodeData> nodes = nodesByTree.get(entry.getKey());
      if (nodes == null) {
        throw new IllegalArgumentException(stage.uri() + ": tree " + entry.getKey() + " has metadata but no nodes");
      }
      roots.add(build(nodes, impurity));
      metadata.add(SavedStage.inline(stage.uri() + "/treesMetadata#" + entry.getKey(),
          entry.getValue().getString("_2", 0)));
      weights[i++] = entry.getValue().getDouble("_3", 0);
    }
    return new Ensemble(roots, metadata, weights);
  }

  private static Node build(List<NodeData> nodes, String impurity) {
    return DecisionTreeModelReadWrite$.MODULE$.buildTreeFromNodes(nodes.toArray(NodeData[]::new), impurity);
  }

  /** One row of Spark's node table: {id, prediction, impurity, impurityStats, rawCount, gain, children, split}. */
  private static NodeData node(Group n) {
    Group split = n.getGroup("split", 0);
    return new NodeData(n.getInteger("id", 0), n.getDouble("prediction", 0), n.getDouble("impurity", 0),
        ParquetRows.doubles(n, "impurityStats"), n.getLong("rawCount", 0), n.getDouble("gain", 0),
        n.getInteger("leftChild", 0), n.getInteger("rightChild", 0),
        new SplitData(split.getInteger("featureIndex", 0), ParquetRows.doubles(split, "leftCategoriesOrThreshold"),
            split.getInteger("numCategories", 0)));
  }
}

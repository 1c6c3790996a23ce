package org.healthpredict.serving.scoring;

import java.util.Arrays;
import java.util.function.Function;
import org.apache.spark.ml.tree.CategoricalSplit;
import org.apache.spark.ml.tree.ContinuousSplit;
import org.apache.spark.ml.tree.InternalNode;
import org.apache.spark.ml.tree.LeafNode;
import org.apache.spark.ml.tree.Node;
import org.apache.spark.ml.tree.Split;

/**
 * The fitted trees of a Spark model copied into flat arrays, walked without Spark's node objects or
 * virtual calls. A child reference {@code >= 0} is an internal node, {@code ~leaf} a leaf. Splits
 * decide exactly as Spark's: continuous {@code x <= threshold} (NaN goes right); categorical by
 * membership in the set Spark keeps (the left categories when they are at most half, else the right).
 */
final class FlatTrees {

  private final int[] roots;
  private final int[] feature;
  private final double[] threshold;
  /** Per internal node: -1 for a continuous split, else the index of its category set. */
  private final int[] categorical;
  private final double[][] categorySets;
  private final boolean[] setIsLeft;
  private final int[] left;
  private final int[] right;
  private final double[] leafValues;
  private final int leafWidth;

  private FlatTrees(Builder b, int[] roots) {
    this.roots = roots;
    this.feature = Arrays.copyOf(b.feature, b.nodes);
    this.threshold = Arrays.copyOf(b.threshold, b.nodes);
    this.categorical = Arrays.copyOf(b.categorical, b.nodes);
    this.categorySets = Arrays.copyOf(b.categorySets, b.sets);
    this.setIsLeft = Arrays.copyOf(b.setIsLeft, b.sets);
    this.left = Arrays.copyOf(b.left, b.nodes);
    this.right = Arrays.copyOf(b.right, b.nodes);
    this.leafValues = Arrays.copyOf(b.leafValues, b.leaves * b.width);
    this.leafWidth = b.width;
  }

  /**
   * Flattens trees; {@code leafValue} gives each leaf's {@code width} numbers (e.g. its normalised class
   * counts), computed once here instead of per record.
   */
  static FlatTrees of(Node[] trees, int width, Function<LeafNode, double[]> leafValue) {
    Builder b = new Builder(width, leafValue);
    int[] roots = new int[trees.length];
    for (int t = 0; t < trees.length; t++) {
      roots[t] = b.add(trees[t]);
    }
    return new FlatTrees(b, roots);
  }

  int trees() {
    return roots.length;
  }

  int internalNodes() {
    return feature.length;
  }

  int categoricalSplits() {
    return categorySets.length;
  }

  /** Where the leaf that tree {@code t} assigns {@code x} to keeps its values in {@link #leafValues()}. */
  int leafOffset(int t, double[] x) {
    int node = roots[t];
    while (node >= 0) {
      int set = categorical[node];
      boolean goLeft = set < 0 ? x[feature[node]] <= threshold[node] : goesLeft(set, x[feature[node]]);
      node = goLeft ? left[node] : right[node];
    }
    return ~node * leafWidth;
  }

  double[] leafValues() {
    return leafValues;
  }

  private boolean goesLeft(int set, double value) {
    boolean contains = false;
    for (double category : categorySets[set]) {
      if (category == value) {
        contains = true;
        break;
      }
    }
    return setIsLeft[set] == contains;
  }

  /** Growable arrays filled by a depth-first walk of each tree. */
  private static final class Builder {
    final int width;
    final Function<LeafNode, double[]> leafValue;
    int nodes;
    int leaves;
    int sets;
    int[] feature = new int[64];
    double[] threshold = new double[64];
    int[] categorical = new int[64];
    int[] left = new int[64];
    int[] right = new int[64];
    double[][] categorySets = new double[8][];
    boolean[] setIsLeft = new boolean[8];
    double[] leafValues;

    Builder(int width, Function<LeafNode, double[]> leafValue) {
      this.width = width;
      this.leafValue = leafValue;
      this.leafValues = new double[64 * width];
    }

    /** Adds a subtree; returns its reference (node index, or ~leaf index). */
    int add(Node node) {
      if (node instanceof LeafNode leaf) {
        double[] values = leafValue.apply(leaf);
        if (values.length != width) {
          throw new IllegalArgumentException("a leaf gives " + values.length + " values, expected " + width);
        }
        if ((leaves + 1) * width > leafValues.length) {
          leafValues = Arrays.copyOf(leafValues, leafValues.length * 2);
        }
        System.arraycopy(values, 0, leafValues, leaves * width, width);
        return ~leaves++;
      }
      InternalNode internal = (InternalNode) node;
      int id = nodes++;
      if (id == feature.length) {
        int n = feature.length * 2;
        feature = Arrays.copyOf(feature, n);
        threshold = Arrays.copyOf(threshold, n);
        categorical = Arrays.copyOf(categorical, n);
        left = Arrays.copyOf(left, n);
        right = Arrays.copyOf(right, n);
      }
      Split split = internal.split();
      feature[id] = split.featureIndex();
      if (split instanceof ContinuousSplit continuous) {
        threshold[id] = continuous.threshold();
        categorical[id] = -1;
      } else if (split instanceof CategoricalSplit categories) {
        threshold[id] = Double.NaN;
        categorical[id] = addSet(categories);
      } else {
        throw new IllegalArgumentException("unknown tree split " + split.getClass().getName());
      }
      int l = add(internal.leftChild());
      int r = add(internal.rightChild());
      left[id] = l;
      right[id] = r;
      return id;
    }

    /** Spark keeps the left categories if they are at most half of all, else the right ones and negates. */
    private int addSet(CategoricalSplit split) {
      boolean isLeft = split.leftCategories().length <= split.numCategories() / 2;
      if (sets == categorySets.length) {
        categorySets = Arrays.copyOf(categorySets, sets * 2);
        setIsLeft = Arrays.copyOf(setIsLeft, sets * 2);
      }
      categorySets[sets] = isLeft ? split.leftCategories() : split.rightCategories();
      setIsLeft[sets] = isLeft;
      return sets++;
    }
  }
}

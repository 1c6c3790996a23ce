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
 * The fitted trees of a Spark model copied into flat arrays, walked without Spark's node objects,
 * virtual calls or boxing. Nodes are numbered depth-first, a child reference {@code >= 0} is an
 * internal node and {@code ~leaf} a leaf. Splits decide exactly as Spark's: continuous
 * {@code x <= threshold} (NaN goes right); categorical by membership in the set Spark keeps (the left
 * categories when they are at most half, else the right ones, negated). A set of one category, which
 * is what one-hot features give, is stored as that value and tested with one comparison.
 */
final class FlatTrees {

  private static final int CONTINUOUS = 0;
  /** Goes left when the value equals the one category kept. */
  private static final int IS = 1;
  /** Goes left when the value differs from the one category kept. */
  private static final int IS_NOT = 2;
  /** Goes left on membership in a larger set, by {@link #goesLeft}. */
  private static final int IN_SET = 3;

  private final int[] roots;
  /** Per internal node: feature index << 2 | split kind. */
  private final int[] featureAndKind;
  /** Per internal node: the threshold, the one category, or (IN_SET) the index of its category set. */
  private final double[] value;
  /** Per internal node: left child at 2 * node, right child at 2 * node + 1. */
  private final int[] children;
  private final double[][] categorySets;
  private final boolean[] setIsLeft;
  private final double[] leafValues;
  private final int leafWidth;
  private final int categoricalSplits;

  private FlatTrees(Builder b, int[] roots) {
    this.roots = roots;
    this.featureAndKind = Arrays.copyOf(b.featureAndKind, b.nodes);
    this.value = Arrays.copyOf(b.value, b.nodes);
    this.children = Arrays.copyOf(b.children, 2 * b.nodes);
    this.categorySets = Arrays.copyOf(b.categorySets, b.sets);
    this.setIsLeft = Arrays.copyOf(b.setIsLeft, b.sets);
    this.leafValues = Arrays.copyOf(b.leafValues, b.leaves * b.width);
    this.leafWidth = b.width;
    this.categoricalSplits = b.categorical;
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
    return featureAndKind.length;
  }

  int categoricalSplits() {
    return categoricalSplits;
  }

  /** Where the leaf that tree {@code t} assigns {@code x} to keeps its values in {@link #leafValues()}. */
  int leafOffset(int t, double[] x) {
    int node = roots[t];
    while (node >= 0) {
      node = step(node, x);
    }
    return ~node * leafWidth;
  }

  /** One level down from internal node {@code node}, as its split decides for {@code x}. */
  private int step(int node, double[] x) {
    int fk = featureAndKind[node];
    double v = x[fk >>> 2];
    boolean left = switch (fk & 3) {
      case CONTINUOUS -> v <= value[node];
      case IS -> v == value[node];
      case IS_NOT -> v != value[node];
      default -> goesLeft((int) value[node], v);
    };
    return children[2 * node + (left ? 0 : 1)];
  }

  double[] leafValues() {
    return leafValues;
  }

  private boolean goesLeft(int set, double v) {
    boolean contains = false;
    for (double category : categorySets[set]) {
      if (category == v) {
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
    int categorical;
    int[] featureAndKind = new int[64];
    double[] value = new double[64];
    int[] children = new int[128];
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
        return addLeaf(leaf);
      }
      InternalNode internal = (InternalNode) node;
      int id = nodes++;
      if (id == featureAndKind.length) {
        featureAndKind = Arrays.copyOf(featureAndKind, 2 * id);
        value = Arrays.copyOf(value, 2 * id);
        children = Arrays.copyOf(children, 4 * id);
      }
      Split split = internal.split();
      int kind;
      if (split instanceof ContinuousSplit continuous) {
        kind = CONTINUOUS;
        value[id] = continuous.threshold();
      } else if (split instanceof CategoricalSplit categories) {
        categorical++;
        boolean isLeft = categories.leftCategories().length <= categories.numCategories() / 2;
        double[] kept = isLeft ? categories.leftCategories() : categories.rightCategories();
        if (kept.length == 1) {
          kind = isLeft ? IS : IS_NOT;
          value[id] = kept[0];
        } else {
          kind = IN_SET;
          value[id] = addSet(kept, isLeft);
        }
      } else {
        throw new IllegalArgumentException("unknown tree split " + split.getClass().getName());
      }
      if (split.featureIndex() >= 1 << 29) {
        throw new IllegalArgumentException("feature index " + split.featureIndex() + " is too large");
      }
      featureAndKind[id] = split.featureIndex() << 2 | kind;
      int left = add(internal.leftChild());
      int right = add(internal.rightChild());
      children[2 * id] = left;
      children[2 * id + 1] = right;
      return id;
    }

    private int addLeaf(LeafNode leaf) {
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

    private int addSet(double[] categories, boolean isLeft) {
      if (sets == categorySets.length) {
        categorySets = Arrays.copyOf(categorySets, sets * 2);
        setIsLeft = Arrays.copyOf(setIsLeft, sets * 2);
      }
      categorySets[sets] = categories;
      setIsLeft[sets] = isLeft;
      return sets++;
    }
  }
}

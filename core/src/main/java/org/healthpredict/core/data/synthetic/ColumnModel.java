package org.healthpredict.core.data.synthetic;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One column of the fitted generator: its values, the coarse state each value falls in (what a
 * child column is conditioned on), and the probability of each value given the joint state of its
 * parent columns (none for the root, so one row of {@code given}).
 */
public final class ColumnModel implements Serializable {

  private static final long serialVersionUID = 1L;

  private final String name;
  private final List<String> values;
  private final int[] state;
  private final List<String> parents;
  private final double[][] given;
  private final int featureIndex;
  private final int[] parentIndices;
  private final int states;
  private transient double[][] cumulative;

  @JsonCreator
  public ColumnModel(@JsonProperty("name") String name, @JsonProperty("values") List<String> values,
      @JsonProperty("state") int[] state, @JsonProperty("parents") List<String> parents,
      @JsonProperty("given") double[][] given) {
    if (values.isEmpty() || state.length != values.size()) {
      throw new IllegalArgumentException(name + ": expected one state per value, found " + state.length
          + " states for " + values.size() + " values");
    }
    for (double[] row : given) {
      if (row.length != values.size()) {
        throw new IllegalArgumentException(name + ": a row of 'given' has " + row.length + " probabilities for "
            + values.size() + " values");
      }
    }
    this.name = name;
    this.values = List.copyOf(values);
    this.state = state.clone();
    this.parents = List.copyOf(parents);
    this.given = given;
    this.featureIndex = FeatureColumns.index(name);
    this.parentIndices = this.parents.stream().mapToInt(FeatureColumns::index).toArray();
    this.states = Arrays.stream(state).max().orElse(0) + 1;
  }

  @JsonProperty
  public String name() {
    return name;
  }

  @JsonProperty
  public List<String> values() {
    return values;
  }

  /** The coarse state of each value, in {@link #values()} order. */
  @JsonProperty
  public int[] state() {
    return state.clone();
  }

  /** The parent columns' names: none for the root; the first is the column's parent in the Chow–Liu tree. */
  @JsonProperty
  public List<String> parents() {
    return parents;
  }

  /**
   * P(value | parents' joint state): one row per joint state, one probability per value. The joint
   * state of parents (a, b, c) is {@code (state(a) * states(b) + state(b)) * states(c) + state(c)}.
   */
  @JsonProperty
  public double[][] given() {
    return given;
  }

  int featureIndex() {
    return featureIndex;
  }

  /** The parents' positions among the feature columns, in {@link #parents()} order. */
  int[] parentIndices() {
    return parentIndices;
  }

  int states() {
    return states;
  }

  int stateOf(int valueIndex) {
    return state[valueIndex];
  }

  /** Draws a value index given the parents' joint state (0 for the root). */
  int draw(int parentState, SplittableRandom random) {
    double[] c = cumulative()[parentState];
    int at = Arrays.binarySearch(c, random.nextDouble() * c[c.length - 1]);
    int index = at >= 0 ? at + 1 : -at - 1;
    return Math.min(index, c.length - 1);
  }

  private double[][] cumulative() {
    double[][] c = cumulative;
    if (c == null) {
      c = new double[given.length][];
      for (int s = 0; s < given.length; s++) {
        c[s] = new double[given[s].length];
        double sum = 0;
        for (int v = 0; v < given[s].length; v++) {
          sum += given[s][v];
          c[s][v] = sum;
        }
      }
      cumulative = c;
    }
    return c;
  }
}

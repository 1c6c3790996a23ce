package org.healthpredict.core.data.synthetic;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Chow–Liu tree over coarse column states: the spanning tree of largest total mutual
 * information. It is the best tree-shaped approximation of the joint distribution (in
 * Kullback–Leibler divergence), and it keeps each column's strongest link to another column.
 */
final class DependencyTree {

  /** The tree as parents ({@code -1} for the root) and an order in which every parent precedes its children. */
  record Shape(int[] parent, List<Integer> order) {}

  private DependencyTree() {}

  /**
   * Prim's algorithm on pairwise mutual information, from column 0.
   *
   * @param states {@code states[column][row]}: each row's coarse state of each column
   * @param counts {@code counts[column]}: how many states the column has
   */
  static Shape learn(int[][] states, int[] counts) {
    int columns = states.length;
    double[][] information = new double[columns][columns];
    for (int a = 0; a < columns; a++) {
      for (int b = a + 1; b < columns; b++) {
        double mi = mutualInformation(states[a], counts[a], states[b], counts[b]);
        information[a][b] = mi;
        information[b][a] = mi;
      }
    }
    int[] parent = new int[columns];
    boolean[] inTree = new boolean[columns];
    double[] best = new double[columns];
    int[] bestFrom = new int[columns];
    java.util.Arrays.fill(best, -1);
    List<Integer> order = new ArrayList<>();
    parent[0] = -1;
    int next = 0;
    for (int step = 0; step < columns; step++) {
      inTree[next] = true;
      order.add(next);
      for (int c = 0; c < columns; c++) {
        if (!inTree[c] && information[next][c] > best[c]) {
          best[c] = information[next][c];
          bestFrom[c] = next;
        }
      }
      int pick = -1;
      for (int c = 0; c < columns; c++) {
        if (!inTree[c] && (pick < 0 || best[c] > best[pick])) {
          pick = c;
        }
      }
      if (pick < 0) {
        break;
      }
      parent[pick] = bestFrom[pick];
      next = pick;
    }
    return new Shape(parent, List.copyOf(order));
  }

  static double mutualInformation(int[] a, int statesA, int[] b, int statesB) {
    int n = a.length;
    double[][] joint = new double[statesA][statesB];
    double[] pa = new double[statesA];
    double[] pb = new double[statesB];
    for (int i = 0; i < n; i++) {
      joint[a[i]][b[i]]++;
      pa[a[i]]++;
      pb[b[i]]++;
    }
    double mi = 0;
    for (int x = 0; x < statesA; x++) {
      for (int y = 0; y < statesB; y++) {
        if (joint[x][y] > 0) {
          mi += joint[x][y] / n * Math.log(joint[x][y] * n / (pa[x] * pb[y]));
        }
      }
    }
    return mi;
  }

  /**
   * The column, among those already placed, that tells most about {@code column} beyond the parents
   * it has: the largest conditional mutual information I(column; candidate | parents' joint state),
   * less the bias such an estimate has on a finite sample ((states - 1) degrees of freedom per joint
   * state, over 2n). {@code -1} when no candidate clears {@link #PARENT_GAIN} or the joint table
   * would exceed {@link #MAX_JOINT_STATES}.
   *
   * <p>Only a parent or child of a current parent may join: the generator then reproduces how the
   * candidate and that parent occur together, so the column is drawn for parent combinations as
   * frequent as in the real rows. Two unrelated parents (a specialty and a diagnosis count) would
   * meet in other proportions than in real rows, and the column's own distribution would shift.
   *
   * @param parentsOf the parents of every placed column
   */
  static int nextParent(int column, List<Integer> parents, int[] joint, int jointStates,
      Map<Integer, List<Integer>> parentsOf, int[][] states, int[] counts) {
    int best = -1;
    double bestGain = PARENT_GAIN;
    int n = states[column].length;
    for (int candidate : parentsOf.keySet()) {
      if (parents.contains(candidate) || jointStates * counts[candidate] > MAX_JOINT_STATES
          || !related(candidate, parents, parentsOf)) {
        continue;
      }
      double bias = (double) (counts[column] - 1) * (counts[candidate] - 1) * jointStates / (2.0 * n);
      double gain = conditionalInformation(states[column], counts[column], states[candidate], counts[candidate],
          joint, jointStates) - bias;
      if (gain > bestGain) {
        bestGain = gain;
        best = candidate;
      }
    }
    return best;
  }

  private static boolean related(int candidate, List<Integer> parents, Map<Integer, List<Integer>> parentsOf) {
    for (int p : parents) {
      if (parentsOf.get(p).contains(candidate) || parentsOf.get(candidate).contains(p)) {
        return true;
      }
    }
    return false;
  }

  /** Information (nats) a further parent must add, after the bias correction, to be worth its table. */
  static final double PARENT_GAIN = 0.005;
  /** Joint parent states a column may be conditioned on: beyond this most states hold a handful of rows. */
  static final int MAX_JOINT_STATES = 256;

  static double conditionalInformation(int[] x, int statesX, int[] y, int statesY, int[] z, int statesZ) {
    int n = x.length;
    double[][][] xyz = new double[statesZ][statesX][statesY];
    double[][] xz = new double[statesZ][statesX];
    double[][] yz = new double[statesZ][statesY];
    double[] pz = new double[statesZ];
    for (int i = 0; i < n; i++) {
      xyz[z[i]][x[i]][y[i]]++;
      xz[z[i]][x[i]]++;
      yz[z[i]][y[i]]++;
      pz[z[i]]++;
    }
    double cmi = 0;
    for (int k = 0; k < statesZ; k++) {
      for (int a = 0; a < statesX; a++) {
        for (int b = 0; b < statesY; b++) {
          double joint = xyz[k][a][b];
          if (joint > 0) {
            cmi += joint / n * Math.log(joint * pz[k] / (xz[k][a] * yz[k][b]));
          }
        }
      }
    }
    return cmi;
  }
}

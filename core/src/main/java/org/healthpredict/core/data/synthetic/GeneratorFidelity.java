package org.healthpredict.core.data.synthetic;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.healthpredict.core.data.RawSchema;
import org.healthpredict.core.evaluation.BinaryMetrics;
import org.healthpredict.core.evaluation.ScoredPairs;

/**
 * How close generated encounters are to the real ones they were fitted on, and how far from copies:
 * per-column Jensen–Shannon distance, the strongest pairwise associations (Cramér's V over the
 * generator's coarse states), exact copies of a real feature row, distance to the closest real row
 * (against the same distance between real rows), and the oracle's score on the generated labels.
 */
public final class GeneratorFidelity {

  /** One column's Jensen–Shannon distance (base 2, so in [0, 1]) between real and generated values. */
  public record ColumnDistance(String column, double jensenShannon) {}

  /** Cramér's V of one column pair, on the real rows and on the generated ones. */
  public record Association(String first, String second, double real, double generated) {}

  /** Everything measured on one run. */
  public record Report(long rows, List<ColumnDistance> columns, List<Association> strongest, long exactCopies,
      double medianNearestGenerated, double medianNearestReal, int nearestGeneratedMinimum,
      BinaryMetrics oracle, double positiveRate) {

    public ColumnDistance worstColumn() {
      return columns.stream().max(Comparator.comparingDouble(ColumnDistance::jensenShannon)).orElseThrow();
    }

    public double largestAssociationGap() {
      return strongest.stream().mapToDouble(a -> Math.abs(a.real() - a.generated())).max().orElse(0);
    }
  }

  private GeneratorFidelity() {}

  /**
   * Measures the first {@code n} encounters of {@code generated} against real raw rows: the strongest
   * {@code associations} pairs, and nearest-row distances of {@code nearestSample} rows of each side.
   */
  public static Report measure(List<String[]> realRaw, FittedRows generated, long n, int associations,
      int nearestSample) {
    List<String[]> real = realRaw.stream().map(FeatureColumns::of).toList();
    int columns = FeatureColumns.NAMES.size();
    ColumnModel[] models = new ColumnModel[columns];
    generated.model().columns().forEach(m -> models[m.featureIndex()] = m);
    List<Map<String, Integer>> valueIndex = new ArrayList<>();
    for (ColumnModel m : models) {
      Map<String, Integer> index = new HashMap<>();
      for (int v = 0; v < m.values().size(); v++) {
        index.put(m.values().get(v), v);
      }
      valueIndex.add(index);
    }

    int[][] realStates = new int[columns][real.size()];
    for (int r = 0; r < real.size(); r++) {
      for (int c = 0; c < columns; c++) {
        realStates[c][r] = state(models[c], valueIndex.get(c), real.get(r)[c]);
      }
    }
    List<int[]> pairs = strongestPairs(realStates, models, associations);

    List<Map<String, Long>> realCounts = counts(real);
    List<Map<String, Long>> generatedCounts = new ArrayList<>();
    for (int c = 0; c < columns; c++) {
      generatedCounts.add(new HashMap<>());
    }
    double[][][] pairTables = new double[pairs.size()][][];
    for (int k = 0; k < pairs.size(); k++) {
      pairTables[k] = new double[models[pairs.get(k)[0]].states()][models[pairs.get(k)[1]].states()];
    }
    Set<String> realRows = new HashSet<>();
    real.forEach(r -> realRows.add(String.join("\u0001", r)));
    long copies = 0;
    List<String[]> nearestRows = new ArrayList<>();
    double[] p = new double[(int) n];
    double[] y = new double[(int) n];
    int scored = 0;
    long positives = 0;
    int readmitted = RawSchema.columns().indexOf(RawSchema.READMITTED);
    for (long i = 0; i < n; i++) {
      FittedRows.Encounter e = generated.encounter(i);
      String[] f = FeatureColumns.of(e.fields());
      int[] s = new int[columns];
      for (int c = 0; c < columns; c++) {
        generatedCounts.get(c).merge(f[c], 1L, Long::sum);
        s[c] = state(models[c], valueIndex.get(c), f[c]);
      }
      for (int k = 0; k < pairs.size(); k++) {
        pairTables[k][s[pairs.get(k)[0]]][s[pairs.get(k)[1]]]++;
      }
      if (realRows.contains(String.join("\u0001", f))) {
        copies++;
      }
      if (nearestRows.size() < nearestSample) {
        nearestRows.add(f);
      }
      boolean positive = e.fields()[readmitted].equals(RawSchema.READMITTED_POSITIVE);
      positives += positive ? 1 : 0;
      if (!GeneratorModel.terminal(f)) {
        p[scored] = e.probability();
        y[scored] = positive ? 1 : 0;
        scored++;
      }
    }

    List<ColumnDistance> distances = new ArrayList<>();
    for (int c = 0; c < columns; c++) {
      distances.add(new ColumnDistance(FeatureColumns.NAMES.get(c),
          jensenShannon(realCounts.get(c), generatedCounts.get(c))));
    }
    List<Association> strongest = new ArrayList<>();
    for (int k = 0; k < pairs.size(); k++) {
      int a = pairs.get(k)[0];
      int b = pairs.get(k)[1];
      strongest.add(new Association(FeatureColumns.NAMES.get(a), FeatureColumns.NAMES.get(b),
          cramersV(table(realStates[a], models[a].states(), realStates[b], models[b].states())),
          cramersV(pairTables[k])));
    }
    int[] generatedNearest = nearest(nearestRows, real, false);
    int[] realNearest = nearest(real.subList(0, Math.min(nearestSample, real.size())), real, true);
    BinaryMetrics oracle = new ScoredPairs(Arrays.copyOf(p, scored), Arrays.copyOf(y, scored)).metrics();
    return new Report(n, distances, strongest, copies, median(generatedNearest), median(realNearest),
        Arrays.stream(generatedNearest).min().orElse(0), oracle, (double) positives / n);
  }

  /** Jensen–Shannon distance with log base 2: 0 for equal distributions, 1 for disjoint ones. */
  public static double jensenShannon(Map<String, Long> a, Map<String, Long> b) {
    double na = a.values().stream().mapToLong(Long::longValue).sum();
    double nb = b.values().stream().mapToLong(Long::longValue).sum();
    Set<String> keys = new HashSet<>(a.keySet());
    keys.addAll(b.keySet());
    double divergence = 0;
    for (String k : keys) {
      double p = a.getOrDefault(k, 0L) / na;
      double q = b.getOrDefault(k, 0L) / nb;
      double m = (p + q) / 2;
      if (p > 0) {
        divergence += 0.5 * p * Math.log(p / m);
      }
      if (q > 0) {
        divergence += 0.5 * q * Math.log(q / m);
      }
    }
    return Math.sqrt(Math.max(0, divergence / Math.log(2)));
  }

  /** Cramér's V of a contingency table; 0 when a side has a single non-empty row or column. */
  public static double cramersV(double[][] table) {
    int rows = table.length;
    int cols = table[0].length;
    double[] rowSums = new double[rows];
    double[] colSums = new double[cols];
    double n = 0;
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        rowSums[i] += table[i][j];
        colSums[j] += table[i][j];
        n += table[i][j];
      }
    }
    long usedRows = Arrays.stream(rowSums).filter(v -> v > 0).count();
    long usedCols = Arrays.stream(colSums).filter(v -> v > 0).count();
    long k = Math.min(usedRows, usedCols);
    if (k < 2 || n == 0) {
      return 0;
    }
    double chi2 = 0;
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        double expected = rowSums[i] * colSums[j] / n;
        if (expected > 0) {
          chi2 += (table[i][j] - expected) * (table[i][j] - expected) / expected;
        }
      }
    }
    return Math.sqrt(chi2 / (n * (k - 1)));
  }

  private static int state(ColumnModel model, Map<String, Integer> index, String value) {
    Integer v = index.get(value);
    // A value the generator never saw (a drifted one) falls in the column's last, pooled state.
    return v == null ? model.states() - 1 : model.stateOf(v);
  }

  private static List<int[]> strongestPairs(int[][] states, ColumnModel[] models, int limit) {
    List<double[]> scored = new ArrayList<>();
    for (int a = 0; a < states.length; a++) {
      for (int b = a + 1; b < states.length; b++) {
        double v = cramersV(table(states[a], models[a].states(), states[b], models[b].states()));
        scored.add(new double[] {v, a, b});
      }
    }
    scored.sort(Comparator.comparingDouble((double[] d) -> d[0]).reversed());
    return scored.stream().limit(limit).map(d -> new int[] {(int) d[1], (int) d[2]}).toList();
  }

  private static double[][] table(int[] a, int statesA, int[] b, int statesB) {
    double[][] t = new double[statesA][statesB];
    for (int i = 0; i < a.length; i++) {
      t[a[i]][b[i]]++;
    }
    return t;
  }

  private static List<Map<String, Long>> counts(List<String[]> rows) {
    List<Map<String, Long>> counts = new ArrayList<>();
    for (int c = 0; c < FeatureColumns.NAMES.size(); c++) {
      Map<String, Long> m = new HashMap<>();
      for (String[] r : rows) {
        m.merge(r[c], 1L, Long::sum);
      }
      counts.add(m);
    }
    return counts;
  }

  /** For each row of {@code from}, the fewest feature fields in which it differs from a row of {@code to}. */
  private static int[] nearest(List<String[]> from, List<String[]> to, boolean sameRows) {
    int[] out = new int[from.size()];
    for (int i = 0; i < from.size(); i++) {
      int best = Integer.MAX_VALUE;
      for (int j = 0; j < to.size() && best > 0; j++) {
        if (sameRows && i == j) {
          continue;
        }
        best = Math.min(best, hamming(from.get(i), to.get(j), best));
      }
      out[i] = best;
    }
    return out;
  }

  private static int hamming(String[] a, String[] b, int stopAt) {
    int d = 0;
    for (int c = 0; c < a.length && d < stopAt; c++) {
      if (!a[c].equals(b[c])) {
        d++;
      }
    }
    return d;
  }

  private static double median(int[] values) {
    if (values.length == 0) {
      return Double.NaN;
    }
    int[] sorted = values.clone();
    Arrays.sort(sorted);
    int m = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2.0;
  }
}

package org.healthpredict.core.data.synthetic;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.healthpredict.core.data.RawSchema;

/**
 * Fits a {@link GeneratorModel} to real encounters. Each column's values are kept with their exact
 * frequencies; a column is drawn given the coarse state of its parent in a Chow–Liu tree, with
 * Dirichlet smoothing toward its own frequencies, so rare combinations are not copied from single
 * patients; the teacher is fitted by {@link TeacherFit} and its intercept then set so that generated
 * encounters are readmitted as often as real ones.
 */
public final class GeneratorFit {

  /** Coarse states of a count: quantile bins, so a child is conditioned on "few / some / many", not on 1 of 100 values. */
  static final int COUNT_STATES = 8;
  /** Coarse states of a category: its most common values each, the rest pooled. */
  static final int CATEGORY_STATES = 16;
  /**
   * Pseudo-rows of a column's own frequencies added to each parent state's counts. Large enough that
   * a parent state seen a handful of times does not pin its child to the values of those rows, small
   * enough that states seen hundreds of times keep their own distribution.
   */
  static final double SMOOTHING = 1.0;
  /** Generated encounters the teacher's signal and intercept are set on. */
  static final int ANCHOR_ROWS = 100_000;
  /**
   * The oracle's ROC-AUC on generated encounters: the middle of what models reach on the full
   * published data set (about 0.65 to 0.72). A teacher fitted on a few thousand rows, calibrated on
   * held-out patients, ranks more flatly than that (its signal is what so few rows can support), so
   * its log-odds are scaled until its own expected ROC-AUC on generated encounters is this.
   */
  static final double ORACLE_ROC_AUC = 0.68;

  private GeneratorFit() {}

  /** Fits on raw rows (50 fields each, raw column order). */
  public static GeneratorModel fit(String source, List<String[]> raw, Consumer<String> progress) {
    if (raw.size() < 100) {
      throw new IllegalArgumentException(source + ": " + raw.size() + " valid encounters; the generator needs at "
          + "least 100 to fit");
    }
    List<String> all = RawSchema.columns();
    int readmitted = all.indexOf(RawSchema.READMITTED);
    int patient = all.indexOf(RawSchema.PATIENT_NBR);
    List<String[]> features = raw.stream().map(FeatureColumns::of).toList();

    int columns = FeatureColumns.NAMES.size();
    List<List<String>> values = new ArrayList<>();
    int[][] valueIndex = new int[columns][raw.size()];
    int[][] states = new int[columns][raw.size()];
    int[][] stateOfValue = new int[columns][];
    int[] stateCounts = new int[columns];
    for (int c = 0; c < columns; c++) {
      String name = FeatureColumns.NAMES.get(c);
      Map<String, Integer> counts = new HashMap<>();
      for (String[] f : features) {
        counts.merge(f[c], 1, Integer::sum);
      }
      List<String> ordered = new ArrayList<>(counts.keySet());
      ordered.sort(FeatureColumns.isCount(name) ? countOrder() : byFrequency(counts));
      values.add(ordered);
      Map<String, Integer> position = new HashMap<>();
      for (int v = 0; v < ordered.size(); v++) {
        position.put(ordered.get(v), v);
      }
      stateOfValue[c] = FeatureColumns.isCount(name) ? quantileStates(ordered, counts, raw.size())
          : frequentStates(ordered.size());
      stateCounts[c] = Arrays.stream(stateOfValue[c]).max().orElse(0) + 1;
      for (int r = 0; r < raw.size(); r++) {
        valueIndex[c][r] = position.get(features.get(r)[c]);
        states[c][r] = stateOfValue[c][valueIndex[c][r]];
      }
    }

    DependencyTree.Shape tree = DependencyTree.learn(states, stateCounts);
    List<ColumnModel> models = new ArrayList<>();
    Map<Integer, List<Integer>> parentsOf = new LinkedHashMap<>();
    for (int c : tree.order()) {
      List<Integer> parents = new ArrayList<>();
      int[] joint = new int[raw.size()];
      int jointStates = 1;
      double[][] given = conditional(valueIndex[c], values.get(c).size(), joint, jointStates, null, null);
      int next = tree.parent()[c];
      while (next >= 0) {
        int[] wider = new int[raw.size()];
        for (int r = 0; r < raw.size(); r++) {
          wider[r] = joint[r] * stateCounts[next] + states[next][r];
        }
        given = conditional(valueIndex[c], values.get(c).size(), wider, jointStates * stateCounts[next], given, joint);
        parents.add(next);
        joint = wider;
        jointStates *= stateCounts[next];
        next = DependencyTree.nextParent(c, parents, joint, jointStates, parentsOf, states, stateCounts);
      }
      parentsOf.put(c, parents);
      models.add(new ColumnModel(FeatureColumns.NAMES.get(c), values.get(c), stateOfValue[c],
          parents.stream().map(FeatureColumns.NAMES::get).toList(), given));
    }
    progress.accept("generator: Chow-Liu tree over " + columns + " columns, e.g. " + edges(models, 6));

    List<TeacherFit.Example> examples = new ArrayList<>();
    long positives = 0;
    long over30 = 0;
    Set<String> patients = new HashSet<>();
    for (int r = 0; r < raw.size(); r++) {
      String label = raw.get(r)[readmitted];
      boolean positive = label.equals(RawSchema.READMITTED_POSITIVE);
      positives += positive ? 1 : 0;
      over30 += label.equals(">30") ? 1 : 0;
      patients.add(raw.get(r)[patient]);
      if (!GeneratorModel.terminal(features.get(r))) {
        examples.add(new TeacherFit.Example(features.get(r), positive, raw.get(r)[patient]));
      }
    }
    double positiveRate = (double) positives / raw.size();
    TeacherFit.Result teacher = TeacherFit.fit(examples, progress);
    GeneratorModel unanchored = new GeneratorModel(GeneratorModel.FORMAT, source, raw.size(),
        (double) raw.size() / patients.size(), positiveRate, (double) over30 / (raw.size() - positives), SMOOTHING,
        models, teacher.teacher());
    Teacher anchored = anchor(unanchored, positiveRate, ORACLE_ROC_AUC);
    progress.accept(String.format("generator: teacher log-odds x %.3f for an oracle ROC-AUC of %.2f, intercept %.4f for "
        + "a %.2f%% readmission rate, as in the source", anchored.terms().get(0).coefficient()
        / teacher.teacher().terms().get(0).coefficient(), ORACLE_ROC_AUC, anchored.intercept(), 100 * positiveRate));
    return unanchored.withTeacher(anchored);
  }

  /**
   * The fitted teacher with its log-odds scaled so that its expected ROC-AUC on generated
   * encounters is {@code rocAuc}, and its intercept set so that their mean probability is {@code rate}.
   */
  static Teacher anchor(GeneratorModel model, double rate, double rocAuc) {
    Teacher zero = model.teacher().withIntercept(0);
    double[] logits = new double[ANCHOR_ROWS];
    int n = 0;
    for (int i = 0; i < ANCHOR_ROWS; i++) {
      String[] f = model.sampleFeatures(new SplittableRandom(SeedMix.mix(0, 0x1C7E_2C0L, i)));
      if (!GeneratorModel.terminal(f)) {
        logits[n++] = zero.logit(f);
      }
    }
    double[] sorted = Arrays.copyOf(logits, n);
    Arrays.sort(sorted);
    // Terminal encounters are never readmitted; the others carry the whole rate.
    double rateOfOthers = rate * ANCHOR_ROWS / n;
    double lo = 0.05;
    double hi = 20;
    for (int step = 0; step < 40; step++) {
      double mid = (lo + hi) / 2;
      if (expectedRocAuc(sorted, mid, interceptFor(sorted, mid, rateOfOthers)) < rocAuc) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    double signal = (lo + hi) / 2;
    return model.teacher().withSignal(signal).withIntercept(interceptFor(sorted, signal, rateOfOthers));
  }

  /** The intercept at which the mean of sigmoid(intercept + signal * logit) is {@code rate} (bisection). */
  static double interceptFor(double[] logits, double signal, double rate) {
    double lo = -30;
    double hi = 30;
    for (int step = 0; step < 40; step++) {
      double mid = (lo + hi) / 2;
      double sum = 0;
      for (double z : logits) {
        sum += Teacher.sigmoid(mid + signal * z);
      }
      if (sum / logits.length < rate) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return (lo + hi) / 2;
  }

  /**
   * The ROC-AUC that the probabilities themselves reach, in expectation, on labels drawn from them:
   * each encounter is a positive with weight p and a negative with weight 1 - p; ties count half.
   * {@code ascending} must be sorted.
   */
  static double expectedRocAuc(double[] ascending, double signal, double intercept) {
    double negativesBelow = 0;
    double ordered = 0;
    double positives = 0;
    double negatives = 0;
    double selfPairs = 0;
    int i = 0;
    while (i < ascending.length) {
      int j = i;
      double groupPositive = 0;
      double groupNegative = 0;
      while (j < ascending.length && ascending[j] == ascending[i]) {
        double p = Teacher.sigmoid(intercept + signal * ascending[j]);
        groupPositive += p;
        groupNegative += 1 - p;
        selfPairs += p * (1 - p);
        j++;
      }
      ordered += groupPositive * negativesBelow + 0.5 * groupPositive * groupNegative;
      negativesBelow += groupNegative;
      positives += groupPositive;
      negatives += groupNegative;
      i = j;
    }
    // An encounter is never paired with itself; within a tie group that pair would have counted half.
    return (ordered - 0.5 * selfPairs) / (positives * negatives - selfPairs);
  }

  /**
   * P(value | parent state), each state's counts smoothed by {@link #SMOOTHING} pseudo-rows of a
   * fallback: the column's own frequencies, or for a joint state of several parents the distribution
   * given all but the last of them ({@code fallback[fallbackState[row]]}).
   */
  private static double[][] conditional(int[] value, int values, int[] parentState, int parentStates,
      double[][] fallback, int[] fallbackState) {
    double[] marginal = new double[values];
    double[][] joint = new double[parentStates][values];
    double[] perState = new double[parentStates];
    for (int r = 0; r < value.length; r++) {
      marginal[value[r]]++;
      joint[parentState[r]][value[r]]++;
      perState[parentState[r]]++;
    }
    double[][] prior = new double[parentStates][];
    for (int s = 0; s < parentStates; s++) {
      prior[s] = new double[values];
      for (int v = 0; v < values; v++) {
        prior[s][v] = marginal[v] / value.length;
      }
    }
    if (fallback != null) {
      for (int r = 0; r < value.length; r++) {
        prior[parentState[r]] = fallback[fallbackState[r]];
      }
    }
    double[][] given = new double[parentStates][values];
    for (int s = 0; s < parentStates; s++) {
      for (int v = 0; v < values; v++) {
        given[s][v] = (joint[s][v] + SMOOTHING * prior[s][v]) / (perState[s] + SMOOTHING);
      }
    }
    return given;
  }

  /** Count values in numeric order, the missing marker last. */
  private static Comparator<String> countOrder() {
    return Comparator.comparingLong(v -> v.equals(RawSchema.MISSING) ? Long.MAX_VALUE : Long.parseLong(v));
  }

  private static Comparator<String> byFrequency(Map<String, Integer> counts) {
    return Comparator.<String>comparingInt(counts::get).reversed().thenComparing(Comparator.naturalOrder());
  }

  /** Each value's quantile bin, by the middle of its share of the rows. */
  private static int[] quantileStates(List<String> ordered, Map<String, Integer> counts, int rows) {
    int[] state = new int[ordered.size()];
    if (ordered.size() <= COUNT_STATES) {
      for (int v = 0; v < state.length; v++) {
        state[v] = v;
      }
      return state;
    }
    double before = 0;
    int[] raw = new int[ordered.size()];
    for (int v = 0; v < ordered.size(); v++) {
      int n = counts.get(ordered.get(v));
      raw[v] = (int) Math.min(COUNT_STATES - 1, Math.floor((before + n / 2.0) / rows * COUNT_STATES));
      before += n;
    }
    // Renumber the bins that occur 0, 1, 2 ... so no state is empty.
    int next = -1;
    int last = -1;
    for (int v = 0; v < raw.length; v++) {
      if (raw[v] != last) {
        next++;
        last = raw[v];
      }
      state[v] = next;
    }
    return state;
  }

  private static int[] frequentStates(int values) {
    int[] state = new int[values];
    for (int v = 0; v < values; v++) {
      state[v] = Math.min(v, CATEGORY_STATES - 1);
    }
    return state;
  }

  private static String edges(List<ColumnModel> models, int limit) {
    return models.stream().filter(m -> !m.parents().isEmpty()).limit(limit)
        .map(m -> m.parents() + " -> " + m.name()).toList() + " ...";
  }
}

package org.healthpredict.core.data.synthetic;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.healthpredict.core.features.Icd9Groups;

/**
 * Fits the teacher on real encounters: a ridge logistic regression over indicator, count and
 * interaction terms, its penalty chosen by cross-validation by patient, then its slope calibrated
 * on the out-of-fold predictions. The calibration shrinks what the fit learnt from noise, so the
 * teacher's spread of risks (and so the oracle's score) is what held-out patients support, not what
 * a few thousand rows can be overfitted to.
 */
final class TeacherFit {

  /** A value becomes an indicator term only with this many rows: rarer ones are noise at this size. */
  static final int MIN_LEVEL_ROWS = 30;
  static final double[] PENALTIES = {3, 10, 30, 100, 300};
  static final int FOLDS = 5;

  private static final List<String> DIAGNOSES = List.of("diag_1", "diag_2", "diag_3");

  /** One real encounter: its feature fields, whether it was readmitted within 30 days, and its patient. */
  record Example(String[] features, boolean positive, String patient) {}

  /** The fitted teacher (intercept still the fit's) and what the fit chose. */
  record Result(Teacher teacher, double penalty, double slope, double crossValidatedLogLoss) {}

  private TeacherFit() {}

  static Result fit(List<Example> examples, Consumer<String> progress) {
    List<List<TeacherFactor>> terms = terms(examples);
    RidgeLogistic.SparseRow[] rows = examples.stream().map(e -> design(terms, e.features()))
        .toArray(RidgeLogistic.SparseRow[]::new);
    double[] y = examples.stream().mapToDouble(e -> e.positive() ? 1 : 0).toArray();
    int[] fold = examples.stream().mapToInt(e -> Math.floorMod(SeedMix.mix(0, 0, e.patient().hashCode()), FOLDS))
        .toArray();

    double bestLoss = Double.POSITIVE_INFINITY;
    double bestPenalty = PENALTIES[0];
    double[] bestOutOfFold = null;
    for (double penalty : PENALTIES) {
      double[] outOfFold = outOfFold(rows, y, fold, terms.size(), penalty);
      double loss = logLoss(outOfFold, y, 0, 1);
      progress.accept(String.format("teacher: penalty %.0f, cross-validated log loss %.5f", penalty, loss));
      if (loss < bestLoss) {
        bestLoss = loss;
        bestPenalty = penalty;
        bestOutOfFold = outOfFold;
      }
    }
    double[] calibration = RidgeLogistic.fit(
        Arrays.stream(bestOutOfFold).mapToObj(z -> new RidgeLogistic.SparseRow(new int[] {1}, new double[] {z}))
            .toArray(RidgeLogistic.SparseRow[]::new), y, 1, 0, null);
    double slope = calibration[1];
    double[] beta = RidgeLogistic.fit(rows, y, terms.size(), bestPenalty, null);
    List<Teacher.Term> fitted = new ArrayList<>(terms.size());
    for (int t = 0; t < terms.size(); t++) {
      fitted.add(new Teacher.Term(terms.get(t), slope * beta[t + 1]));
    }
    double intercept = calibration[0] + slope * beta[0];
    progress.accept(String.format("teacher: %d terms, penalty %.0f, calibration slope %.3f", terms.size(), bestPenalty,
        slope));
    return new Result(new Teacher(fitted, intercept), bestPenalty, slope, bestLoss);
  }

  /**
   * The terms: an indicator per common value of every category (the most common one is the
   * reference), ICD-9 groups for the diagnoses, each count straight and as log(1 + x), and a few
   * interactions and steps clinicians describe (repeat admissions weigh more in the old; a long stay
   * matters more when the patient is not sent home), so trees have structure a line cannot find.
   */
  static List<List<TeacherFactor>> terms(List<Example> examples) {
    List<List<TeacherFactor>> terms = new ArrayList<>();
    for (String column : FeatureColumns.NAMES) {
      int c = FeatureColumns.index(column);
      if (FeatureColumns.isCount(column)) {
        for (TeacherFactor.Kind kind : List.of(TeacherFactor.Kind.LINEAR, TeacherFactor.Kind.LOG)) {
          standardised(kind, column, examples).ifPresent(f -> terms.add(List.of(f)));
        }
        continue;
      }
      boolean diagnosis = DIAGNOSES.contains(column);
      Map<String, Integer> counts = new LinkedHashMap<>();
      for (Example e : examples) {
        String v = e.features()[c];
        String key = diagnosis ? Icd9Groups.group(TeacherFactor.missingAsNull(v)) : v;
        counts.merge(key, 1, Integer::sum);
      }
      counts.entrySet().stream()
          .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
          .skip(1)
          .filter(e -> e.getValue() >= MIN_LEVEL_ROWS)
          .forEach(e -> terms.add(List.of(diagnosis ? TeacherFactor.group(column, e.getKey())
              : TeacherFactor.level(column, e.getKey()))));
    }
    TeacherFactor age = standardised(TeacherFactor.Kind.AGE, "age", examples).orElseThrow();
    TeacherFactor inpatient = standardised(TeacherFactor.Kind.LINEAR, "number_inpatient", examples).orElseThrow();
    TeacherFactor emergency = standardised(TeacherFactor.Kind.LOG, "number_emergency", examples).orElseThrow();
    TeacherFactor stay = standardised(TeacherFactor.Kind.LINEAR, "time_in_hospital", examples).orElseThrow();
    TeacherFactor medications = standardised(TeacherFactor.Kind.LINEAR, "num_medications", examples).orElseThrow();
    terms.add(List.of(inpatient, age));
    terms.add(List.of(inpatient, emergency));
    terms.add(List.of(stay, TeacherFactor.not("discharge_disposition_id", "1")));
    terms.add(List.of(medications, TeacherFactor.level("insulin", "Up")));
    terms.add(List.of(TeacherFactor.atLeast("number_inpatient", 2)));
    terms.add(List.of(TeacherFactor.atLeast("number_diagnoses", 9), TeacherFactor.group("diag_1", Icd9Groups.CIRCULATORY)));
    terms.add(List.of(TeacherFactor.group("diag_1", Icd9Groups.DIABETES), TeacherFactor.level("A1Cresult", ">8")));
    terms.add(List.of(emergency, TeacherFactor.not("admission_source_id", "7")));
    return terms;
  }

  private static Optional<TeacherFactor> standardised(TeacherFactor.Kind kind, String column,
      List<Example> examples) {
    int c = FeatureColumns.index(column);
    double sum = 0;
    double squares = 0;
    int n = 0;
    for (Example e : examples) {
      double x = TeacherFactor.rawNumber(kind, e.features()[c]);
      if (!Double.isNaN(x)) {
        sum += x;
        squares += x * x;
        n++;
      }
    }
    if (n < 2) {
      return Optional.empty();
    }
    double mean = sum / n;
    double sd = Math.sqrt(Math.max(0, squares / n - mean * mean));
    return sd > 0 ? Optional.of(new TeacherFactor(kind, column, null, mean, sd)) : Optional.empty();
  }

  static RidgeLogistic.SparseRow design(List<List<TeacherFactor>> terms, String[] features) {
    int[] index = new int[terms.size()];
    double[] value = new double[terms.size()];
    int n = 0;
    for (int t = 0; t < terms.size(); t++) {
      double v = 1;
      for (TeacherFactor f : terms.get(t)) {
        v *= f.of(features);
      }
      if (v != 0) {
        index[n] = t + 1;
        value[n] = v;
        n++;
      }
    }
    return new RidgeLogistic.SparseRow(Arrays.copyOf(index, n), Arrays.copyOf(value, n));
  }

  private static double[] outOfFold(RidgeLogistic.SparseRow[] rows, double[] y, int[] fold, int terms, double penalty) {
    double[] out = new double[rows.length];
    for (int k = 0; k < FOLDS; k++) {
      List<Integer> train = new ArrayList<>();
      for (int i = 0; i < rows.length; i++) {
        if (fold[i] != k) {
          train.add(i);
        }
      }
      RidgeLogistic.SparseRow[] trainRows = train.stream().map(i -> rows[i]).toArray(RidgeLogistic.SparseRow[]::new);
      double[] trainY = train.stream().mapToDouble(i -> y[i]).toArray();
      double[] beta = RidgeLogistic.fit(trainRows, trainY, terms, penalty, null);
      for (int i = 0; i < rows.length; i++) {
        if (fold[i] == k) {
          out[i] = rows[i].dot(beta);
        }
      }
    }
    return out;
  }

  static double logLoss(double[] logits, double[] y, double intercept, double slope) {
    double loss = 0;
    for (int i = 0; i < logits.length; i++) {
      double p = Math.min(1 - 1e-12, Math.max(1e-12, Teacher.sigmoid(intercept + slope * logits[i])));
      loss -= y[i] * Math.log(p) + (1 - y[i]) * Math.log(1 - p);
    }
    return loss / logits.length;
  }
}

package org.healthpredict.core.registry;

import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Decides whether a candidate model may replace the champion, from their metrics on the same test
 * set: every absolute floor must be met, then (when given) the candidate must beat an untuned
 * baseline fitted on the same rows on both the primary metric and ROC-AUC, then it must beat the
 * champion's primary metric by at least the margin. Pure: no I/O, so it is tested with plain numbers.
 *
 * <p>A tie never promotes, whatever the margin: with margin 0 the candidate must be strictly better,
 * because swapping a serving model without a measured gain only adds risk. Improvements are compared
 * with a tolerance of {@value #TOLERANCE}, so "0.80 beats 0.79 by 0.01" holds despite floating point.
 */
public final class PromotionGate {

  /** PR-AUC: with ~11% readmissions it tracks the ranking of the rare class better than ROC-AUC. */
  public static final String DEFAULT_PRIMARY_METRIC = "test_pr_auc";
  static final double TOLERANCE = 1e-9;

  private final String primaryMetric;
  private final boolean higherIsBetter;
  private final double margin;
  private final Map<String, Double> floors;

  /**
   * @param primaryMetric the metric compared with the champion, e.g. {@code test_pr_auc}
   * @param higherIsBetter false for losses such as {@code test_log_loss}
   * @param margin how much better than the champion the candidate must be, ≥ 0
   * @param floors metric → minimum value the candidate must reach whether or not there is a
   *     champion (floors are minimums: use them for higher-is-better metrics)
   */
  public PromotionGate(String primaryMetric, boolean higherIsBetter, double margin,
      Map<String, Double> floors) {
    if (primaryMetric == null || primaryMetric.isBlank()) {
      throw new IllegalArgumentException("the gate needs a primary metric");
    }
    if (!(margin >= 0) || Double.isInfinite(margin)) {
      throw new IllegalArgumentException("margin must be a finite number ≥ 0, got " + margin);
    }
    floors.forEach((metric, floor) -> {
      if (floor == null || floor.isNaN()) {
        throw new IllegalArgumentException("floor of " + metric + " is not a number");
      }
    });
    this.primaryMetric = primaryMetric;
    this.higherIsBetter = higherIsBetter;
    this.margin = margin;
    this.floors = Collections.unmodifiableMap(new TreeMap<>(floors));
  }

  /** The baseline comparison is also made on ROC-AUC: a model that ranks patients no better than it is no gain. */
  static final String BASELINE_RANKING_METRIC = "test_roc_auc";

  /**
   * This gate with one more floor; where the metric already has one, the higher of the two holds.
   * Used for floors known only once the test rows are read (chance levels).
   */
  public PromotionGate withFloor(String metric, double floor) {
    Map<String, Double> all = new TreeMap<>(floors);
    all.merge(metric, floor, Math::max);
    return new PromotionGate(primaryMetric, higherIsBetter, margin, all);
  }

  public Map<String, Double> floors() {
    return floors;
  }

  /** Test PR-AUC, higher is better, margin 0, no floors. */
  public static PromotionGate defaults() {
    return new PromotionGate(DEFAULT_PRIMARY_METRIC, true, 0.0, Map.of());
  }

  public String primaryMetric() {
    return primaryMetric;
  }

  /**
   * The verdict on a candidate given the champion's evaluation, or empty when there is no champion
   * (then only the floors apply).
   *
   * @throws IllegalArgumentException if the two evaluations are on different test sets: comparing
   *     them would be meaningless, and that is a mistake of the caller, not a verdict on the model
   */
  public GateDecision decide(Evaluation candidate, Optional<Evaluation> champion) {
    return decide(candidate, champion, Optional.empty());
  }

  /** An untuned model fitted on the candidate's rows and scored on its test rows, and what it is. */
  public record Baseline(String description, Evaluation evaluation) {}

  /**
   * As {@link #decide(Evaluation, Optional)}, and with a baseline the candidate must also be strictly
   * better than it on the primary metric and on ROC-AUC: tuning that does not beat the untuned model
   * (a tie included) is refused, with the reason.
   */
  public GateDecision decide(Evaluation candidate, Optional<Evaluation> champion, Optional<Baseline> baseline) {
    champion.ifPresent(c -> sameTestSet(candidate, c, "champion"));
    baseline.ifPresent(b -> sameTestSet(candidate, b.evaluation(), "baseline"));
    Map<String, Double> mine = candidate.metrics();
    Map<String, Double> theirs = champion.map(Evaluation::metrics).orElse(Map.of());

    for (Map.Entry<String, Double> floor : floors.entrySet()) {
      String metric = floor.getKey();
      Double value = mine.get(metric);
      if (value == null || value.isNaN()) {
        return reject(metric, "candidate has no " + metric + " (needed for its floor "
            + format(floor.getValue()) + ")", mine, theirs);
      }
      if (value < floor.getValue()) {
        return reject(metric, "candidate " + metric + " " + format(value) + " is below the floor "
            + format(floor.getValue()), mine, theirs);
      }
    }
    Double value = mine.get(primaryMetric);
    if (value == null || value.isNaN()) {
      return reject(primaryMetric, "candidate has no " + primaryMetric, mine, theirs);
    }
    if (baseline.isPresent()) {
      for (String metric : new java.util.LinkedHashSet<>(java.util.List.of(primaryMetric, BASELINE_RANKING_METRIC))) {
        Double ours = mine.get(metric);
        Double base = baseline.get().evaluation().metrics().get(metric);
        boolean higher = !metric.equals(primaryMetric) || higherIsBetter;
        double gain = ours == null || base == null ? Double.NaN : higher ? ours - base : base - ours;
        if (!(gain > TOLERANCE)) {
          return reject(metric, "candidate " + metric + " " + format(ours == null ? Double.NaN : ours)
              + " does not beat the untuned baseline (" + baseline.get().description() + ") at "
              + format(base == null ? Double.NaN : base) + " on the same test rows", mine, theirs);
        }
      }
    }
    if (champion.isEmpty()) {
      return new GateDecision(GateDecision.Verdict.PROMOTE, primaryMetric, "no champion yet;"
          + " candidate " + primaryMetric + " " + format(value) + floorsMet(), mine, theirs);
    }
    Double best = theirs.get(primaryMetric);
    if (best == null || best.isNaN()) {
      // A champion we cannot measure is not beaten by default: a person must look.
      return reject(primaryMetric, "champion has no " + primaryMetric + " on test set '"
          + candidate.testSet() + "', so the candidate (" + format(value)
          + ") cannot be compared", mine, theirs);
    }
    double gain = higherIsBetter ? value - best : best - value;
    String comparison = "candidate " + primaryMetric + " " + format(value) + " vs champion "
        + format(best) + " (" + (higherIsBetter ? "higher" : "lower") + " is better, margin "
        + format(margin) + ")";
    if (gain > TOLERANCE && gain >= margin - TOLERANCE) {
      return new GateDecision(GateDecision.Verdict.PROMOTE, primaryMetric,
          comparison + ": better by " + format(gain) + floorsMet(), mine, theirs);
    }
    String why = gain > TOLERANCE ? ": better by only " + format(gain)
        : Math.abs(gain) <= TOLERANCE ? ": a tie keeps the champion" : ": worse by " + format(-gain);
    return reject(primaryMetric, comparison + why, mine, theirs);
  }

  private static void sameTestSet(Evaluation candidate, Evaluation other, String role) {
    if (!other.testSet().equals(candidate.testSet())) {
      throw new IllegalArgumentException("the candidate was evaluated on test set '" + candidate.testSet()
          + "' but the " + role + " on '" + other.testSet() + "'; evaluate both on the same test set");
    }
  }

  private String floorsMet() {
    return floors.isEmpty() ? "" : "; floors met (" + floors.entrySet().stream()
        .map(f -> f.getKey() + " ≥ " + format(f.getValue()))
        .reduce((a, b) -> a + ", " + b).orElse("") + ")";
  }

  private static GateDecision reject(String metric, String reason, Map<String, Double> mine,
      Map<String, Double> theirs) {
    return new GateDecision(GateDecision.Verdict.REJECT, metric, reason, mine, theirs);
  }

  private static String format(double value) {
    return String.format(Locale.ROOT, "%.4f", value);
  }

  @Override
  public String toString() {
    return "PromotionGate[" + primaryMetric + (higherIsBetter ? " higher" : " lower")
        + " is better, margin " + margin + ", floors " + floors + "]";
  }
}

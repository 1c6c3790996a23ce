package org.healthpredict.core.evaluation;

import java.util.Arrays;

/**
 * The probability above which a patient is flagged, chosen on out-of-fold predictions by a stated
 * rule: the threshold that maximises F1 (the default), or the highest threshold whose recall reaches
 * a target (when missing a readmission costs more than a false alarm), with the precision, recall and
 * F1 it gives there.
 */
public record DecisionThreshold(String rule, double threshold, double precision, double recall, double f1) {

  /** The F1-maximising threshold, as {@link BinaryMetrics} reports it. */
  public static DecisionThreshold maxF1(ScoredPairs pairs) {
    BinaryMetrics m = pairs.metrics();
    return new DecisionThreshold("max_f1", m.threshold(), m.precision(), m.recall(), m.f1());
  }

  /**
   * The highest threshold at which at least {@code targetRecall} of the positives score at or above it.
   *
   * @throws IllegalArgumentException if the target is not in (0, 1] or there is no positive
   */
  public static DecisionThreshold forRecall(ScoredPairs pairs, double targetRecall) {
    if (!(targetRecall > 0 && targetRecall <= 1)) {
      throw new IllegalArgumentException("target recall must be in (0, 1], found " + targetRecall);
    }
    long positives = pairs.positives();
    if (positives == 0) {
      throw new IllegalArgumentException("no positive among " + pairs.size() + " predictions; recall is undefined");
    }
    double[] positiveScores = new double[(int) positives];
    int k = 0;
    for (int i = 0; i < pairs.size(); i++) {
      if (pairs.label()[i] > 0.5) {
        positiveScores[k++] = pairs.probability()[i];
      }
    }
    Arrays.sort(positiveScores);
    // Flagging p >= t catches the positives from index ceil((1 - target) * P) up, rounded so the target is met.
    int needed = (int) Math.ceil(targetRecall * positives - 1e-9);
    double threshold = positiveScores[(int) positives - needed];
    return at(pairs, threshold, "recall>=" + targetRecall);
  }

  /** Precision, recall and F1 when every prediction at or above {@code threshold} is flagged. */
  public static DecisionThreshold at(ScoredPairs pairs, double threshold, String rule) {
    long tp = 0;
    long flagged = 0;
    for (int i = 0; i < pairs.size(); i++) {
      if (pairs.probability()[i] >= threshold) {
        flagged++;
        tp += pairs.label()[i] > 0.5 ? 1 : 0;
      }
    }
    long positives = pairs.positives();
    double precision = flagged == 0 ? 0 : (double) tp / flagged;
    double recall = positives == 0 ? 0 : (double) tp / positives;
    double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
    return new DecisionThreshold(rule, threshold, precision, recall, f1);
  }

  /** The metrics with this threshold's figures in place of the F1-maximising ones. */
  public BinaryMetrics applyTo(BinaryMetrics m) {
    return new BinaryMetrics(m.rows(), m.positives(), m.rocAuc(), m.prAuc(), m.logLoss(), m.brier(), f1, precision,
        recall, threshold);
  }
}

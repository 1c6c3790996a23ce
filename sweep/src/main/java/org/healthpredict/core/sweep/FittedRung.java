package org.healthpredict.core.sweep;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.healthpredict.core.evaluation.BinaryMetrics;
import org.healthpredict.core.evaluation.ScoredPairs;
import org.healthpredict.core.tuning.RungScore;

/**
 * What training one rung of a trial gave: the score ASHA judges, each fold's metrics, the folds'
 * held-out predictions pooled (the winner's decision threshold is chosen on them), the wall time, and
 * how many iterations earlier rungs had already fitted (0 unless a GBT was continued).
 */
record FittedRung(RungScore score, List<BinaryMetrics> perFold, ScoredPairs outOfFold, double seconds,
    int iterationsReused) {

  FittedRung {
    perFold = List.copyOf(perFold);
  }

  /**
   * Each metric's mean and standard error over the rung's folds ({@code val_roc_auc},
   * {@code val_roc_auc_se}, ...), the folds, the model size and whether the trial was degenerate: the
   * names a resumed sweep reads a rung back by.
   */
  Map<String, Double> metrics() {
    Map<String, Double> out = new LinkedHashMap<>();
    for (SweepMetric m : SweepMetric.values()) {
      RungScore s = RungScore.ofFolds(perFold.stream().mapToDouble(m::of).toArray(), false, Double.NaN);
      out.put(m.metricName(), s.mean());
      if (!Double.isNaN(s.standardError())) {
        out.put(m.metricName() + "_se", s.standardError());
      }
    }
    out.put("cv_folds", (double) score.folds());
    out.put("degenerate", score.degenerate() ? 1.0 : 0.0);
    if (!Double.isNaN(score.complexity())) {
      out.put("model_size", score.complexity());
    }
    return out;
  }
}

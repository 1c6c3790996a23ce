package org.healthpredict.core.sweep;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.healthpredict.core.tuning.AshaConfig;

/**
 * How a sweep runs: what it optimises, ASHA's reduction factor, brackets and promotion rule, the
 * budget (trials and/or wall-clock time), how many trials train at once, the seed, and how the winner
 * is refitted.
 */
public record SweepSettings(
    SweepMetric metric,
    boolean maximize,
    double eta,
    int brackets,
    AshaConfig.Promotion promotion,
    int maxTrials,
    Duration timeBudget,
    int maxConcurrent,
    long seed,
    boolean refitWithValidation) {

  public SweepSettings {
    Objects.requireNonNull(promotion, "promotion");
    if (maxConcurrent < 1) {
      throw new IllegalArgumentException("max concurrent trials must be at least 1, got " + maxConcurrent);
    }
    if (maxTrials == AshaConfig.UNLIMITED && timeBudget == null) {
      throw new IllegalArgumentException("a sweep needs a budget: a number of trials, a time budget, or both");
    }
  }

  /** Parameters of the sweep as logged on its MLflow parent run. */
  public Map<String, Object> asParams() {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("metric", metric.metricName());
    p.put("mode", maximize ? "max" : "min");
    p.put("eta", eta);
    p.put("brackets", brackets);
    p.put("promotion", promotion.name().toLowerCase());
    p.put("max_trials", maxTrials == AshaConfig.UNLIMITED ? "unlimited" : maxTrials);
    p.put("time_budget_seconds", timeBudget == null ? "unlimited" : timeBudget.toSeconds());
    p.put("max_concurrent", maxConcurrent);
    p.put("seed", seed);
    p.put("refit_with_validation", refitWithValidation);
    return p;
  }
}

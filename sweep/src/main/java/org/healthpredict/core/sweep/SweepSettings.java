package org.healthpredict.core.sweep;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.healthpredict.core.tuning.AshaConfig;
import org.healthpredict.core.tuning.FoldSchedule;
import org.healthpredict.core.tuning.WinnerRule;

/**
 * How a sweep runs: what it optimises, ASHA's reduction factor, brackets and promotion rule, the
 * budget (trials and/or wall-clock time), how many trials train at once, the seed, the
 * cross-validation folds per rung, how configurations are sampled, how the winner is chosen, and how
 * its decision threshold is set.
 *
 * @param sampler {@code tpe} or {@code random}
 * @param startupTrials trials with a result before TPE takes over from random draws
 * @param defaultsFirst whether each family's MLlib defaults are evaluated first, at full resource
 * @param targetRecall the recall the decision threshold must reach; null to maximise F1
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
    FoldSchedule folds,
    SamplerKind sampler,
    int startupTrials,
    boolean defaultsFirst,
    WinnerRule winnerRule,
    Double targetRecall) {

  public enum SamplerKind { TPE, RANDOM }

  public SweepSettings {
    Objects.requireNonNull(promotion, "promotion");
    Objects.requireNonNull(folds, "folds");
    Objects.requireNonNull(sampler, "sampler");
    Objects.requireNonNull(winnerRule, "winnerRule");
    if (maxConcurrent < 1) {
      throw new IllegalArgumentException("max concurrent trials must be at least 1, got " + maxConcurrent);
    }
    if (maxTrials == AshaConfig.UNLIMITED && timeBudget == null) {
      throw new IllegalArgumentException("a sweep needs a budget: a number of trials, a time budget, or both");
    }
    if (targetRecall != null && !(targetRecall > 0 && targetRecall <= 1)) {
      throw new IllegalArgumentException("target recall must be in (0, 1], got " + targetRecall);
    }
  }

  /**
   * The defaults of {@code tune}: ROC-AUC, η = 3, one bracket, the paper's promotion, 5 patient folds
   * growing from 2 at rung 0, TPE after 10 random start-up trials, defaults first, the
   * one-standard-error winner, and the F1-maximising threshold.
   */
  public static SweepSettings defaults(int maxTrials, Duration timeBudget, int maxConcurrent, long seed) {
    return new SweepSettings(SweepMetric.ROC_AUC, true, 3, 1, AshaConfig.Promotion.PAPER, maxTrials, timeBudget,
        maxConcurrent, seed, new FoldSchedule(5, FoldSchedule.Policy.GROW), SamplerKind.TPE, 10, true,
        WinnerRule.ONE_STANDARD_ERROR, null);
  }

  /**
   * ASHA's settings for a sweep that starts at {@code start}: the time budget, if any, ends at
   * {@code start} plus the budget. The caller reads {@code start} from the same clock the scheduler
   * compares the deadline with, so a test's clock governs both.
   */
  public AshaConfig ashaConfig(Instant start) {
    AshaConfig c = maximize ? AshaConfig.maximize(maxTrials) : AshaConfig.minimize(maxTrials);
    c = c.withEta(eta).withBrackets(brackets).withPromotion(promotion);
    return timeBudget == null ? c : c.withDeadline(start.plus(timeBudget));
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
    p.put("cv_folds", folds.folds());
    p.put("rung_folds", folds.policy().name().toLowerCase());
    p.put("sampler", sampler.name().toLowerCase());
    p.put("startup_trials", startupTrials);
    p.put("defaults_first", defaultsFirst);
    p.put("selection", winnerRule == WinnerRule.BEST ? "best" : "one-se");
    p.put("threshold_rule", targetRecall == null ? "max_f1" : "recall>=" + targetRecall);
    p.put("fit_parts", "train+validation");
    return p;
  }
}

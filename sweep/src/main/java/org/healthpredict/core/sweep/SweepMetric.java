package org.healthpredict.core.sweep;

import org.healthpredict.core.evaluation.BinaryMetrics;

/** The validation metric a sweep optimises, and whether higher is better by default. */
public enum SweepMetric {
  PR_AUC("val_pr_auc", true),
  ROC_AUC("val_roc_auc", true),
  LOG_LOSS("val_log_loss", false),
  F1("val_f1", true);

  private final String metricName;
  private final boolean higherIsBetter;

  SweepMetric(String metricName, boolean higherIsBetter) {
    this.metricName = metricName;
    this.higherIsBetter = higherIsBetter;
  }

  /** The name under which MLflow records it. */
  public String metricName() {
    return metricName;
  }

  public boolean higherIsBetter() {
    return higherIsBetter;
  }

  public double of(BinaryMetrics m) {
    return switch (this) {
      case PR_AUC -> m.prAuc();
      case ROC_AUC -> m.rocAuc();
      case LOG_LOSS -> m.logLoss();
      case F1 -> m.f1();
    };
  }
}

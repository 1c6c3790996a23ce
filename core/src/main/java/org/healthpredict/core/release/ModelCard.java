package org.healthpredict.core.release;

import java.util.List;
import java.util.Locale;
import org.healthpredict.core.evaluation.BinaryMetrics;
import org.healthpredict.core.evaluation.SubgroupEvaluation;

/** A model card in Markdown: what the model is, how it did on the held-out test split, per subgroup, and how calibrated it is. */
public final class ModelCard {

  private ModelCard() {}

  /** Everything the card shows. */
  public record Content(String modelName, String version, String runId, String family, String dataUri,
      String dataSha256, double threshold, BinaryMetrics test, BinaryMetrics championTest,
      List<SubgroupEvaluation.Subgroup> subgroups, List<SubgroupEvaluation.CalibrationBin> calibration,
      String decision) {}

  public static String render(Content c) {
    StringBuilder md = new StringBuilder();
    md.append("# Model card: ").append(c.modelName()).append(" version ").append(c.version()).append("\n\n");
    md.append("Predicts 30-day readmission (`readmitted` = `<30`) of diabetic inpatients from one encounter record ")
        .append("(UCI Diabetes 130-US Hospitals schema). Decision support only: a flag for follow-up, not a diagnosis.\n\n");
    md.append("| | |\n|---|---|\n");
    row(md, "model family", c.family());
    row(md, "MLflow run", c.runId());
    row(md, "training data", c.dataUri() + " (raw input sha256 " + c.dataSha256() + ")");
    row(md, "decision threshold", fmt(c.threshold()) + " (F1-optimal on validation)");
    row(md, "registry decision", c.decision());
    md.append("\n## Test split\n\n| metric | this version | current champion |\n|---|---:|---:|\n");
    metric(md, "ROC-AUC", c.test().rocAuc(), c.championTest() == null ? null : c.championTest().rocAuc());
    metric(md, "PR-AUC", c.test().prAuc(), c.championTest() == null ? null : c.championTest().prAuc());
    metric(md, "log-loss", c.test().logLoss(), c.championTest() == null ? null : c.championTest().logLoss());
    metric(md, "Brier score", c.test().brier(), c.championTest() == null ? null : c.championTest().brier());
    metric(md, "F1", c.test().f1(), c.championTest() == null ? null : c.championTest().f1());
    metric(md, "precision", c.test().precision(), c.championTest() == null ? null : c.championTest().precision());
    metric(md, "recall", c.test().recall(), c.championTest() == null ? null : c.championTest().recall());
    md.append("\n").append(c.test().rows()).append(" encounters, ").append(c.test().positives()).append(" readmitted within 30 days.\n");
    md.append("\n## Subgroups (test split)\n\n| group | value | rows | positives | ROC-AUC | PR-AUC | F1 | Brier |\n|---|---|---:|---:|---:|---:|---:|---:|\n");
    for (SubgroupEvaluation.Subgroup s : c.subgroups()) {
      BinaryMetrics m = s.metrics();
      md.append(String.format(Locale.ROOT, "| %s | %s | %d | %d | %s | %s | %s | %s |%n", s.column(), s.value(), s.rows(),
          s.positives(), m == null ? "n/a" : fmt(m.rocAuc()), m == null ? "n/a" : fmt(m.prAuc()),
          m == null ? "n/a" : fmt(m.f1()), m == null ? "n/a" : fmt(m.brier())));
    }
    md.append("\n`n/a`: the group has no positives or no negatives in the test split, so ranking metrics are undefined.\n");
    md.append("\n## Calibration (test split)\n\n| predicted probability | rows | mean predicted | observed rate |\n|---|---:|---:|---:|\n");
    for (SubgroupEvaluation.CalibrationBin b : c.calibration()) {
      if (b.rows() > 0) {
        md.append(String.format(Locale.ROOT, "| %.1f–%.1f | %d | %s | %s |%n", b.lower(), b.upper(), b.rows(),
            fmt(b.meanPredicted()), fmt(b.observedRate())));
      }
    }
    return md.toString();
  }

  private static void row(StringBuilder md, String key, String value) {
    md.append("| ").append(key).append(" | ").append(value).append(" |\n");
  }

  private static void metric(StringBuilder md, String name, double value, Double champion) {
    md.append("| ").append(name).append(" | ").append(fmt(value)).append(" | ")
        .append(champion == null ? "—" : fmt(champion)).append(" |\n");
  }

  private static String fmt(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.4f", v);
  }
}

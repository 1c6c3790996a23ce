package org.healthpredict.jobs;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.healthpredict.core.registry.PromotionGate;
import org.healthpredict.core.release.RegisterRunner;
import org.healthpredict.core.release.UntunedBaseline;
import org.healthpredict.core.spark.SparkSessions;
import org.healthpredict.core.tracking.Tracking;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `register`: a run's model becomes a registered version, promoted to champion only if it passes the gate. */
@Command(
    name = "register",
    mixinStandardHelpOptions = true,
    description = {
        "Registers a run's model as a new version and promotes it only if it beats the champion.",
        "",
        "Evaluates the model on the run's held-out test split (ROC-AUC, PR-AUC, log-loss, F1, precision, "
            + "recall, Brier, calibration, and the same per race, gender and age band), writes a model card, "
            + "and evaluates the current champion on the same rows. The candidate becomes champion (alias "
            + "'champion'; the old one becomes 'previous') only if it beats the champion's metric by at least "
            + "--margin, meets every floor (by default also ROC-AUC clearly above chance and PR-AUC above the positive "
            + "rate) and beats an untuned logistic regression fitted on the same rows (--baseline); otherwise it stays registered, not promoted, with the reason "
            + "on the version and in the audit log.",
        "",
        "One version per run: registering a run again (a retried task) finds its version; a complete decision "
            + "is reported again (again=true) and nothing moves, a decision cut short by a crash is finished, "
            + "an undecided version is decided."
    })
final class RegisterCommand implements Callable<Integer> {

  @Option(names = "--run", required = true, paramLabel = "RUN_ID", description = "MLflow run of `train` or `tune` whose model to register.")
  String runId;

  @Option(names = "--metric", defaultValue = "test_pr_auc",
      description = "Gate metric on the test split, higher is better (default ${DEFAULT-VALUE}; e.g. test_roc_auc).")
  String metric;

  @Option(names = "--margin", defaultValue = "0", description = "Required improvement over the champion (default ${DEFAULT-VALUE}).")
  double margin;

  @Option(names = "--min-roc-auc", paramLabel = "X", description = "Floor: test ROC-AUC at least X.")
  Double minRocAuc;

  @Option(names = "--min-pr-auc", paramLabel = "X", description = "Floor: test PR-AUC at least X.")
  Double minPrAuc;

  @Option(names = "--baseline", defaultValue = "lr", paramLabel = "lr|none",
      description = "Untuned model the candidate must beat on the gate metric and on test ROC-AUC, fitted here on the "
          + "split's train + validation rows and scored on the same test rows (default ${DEFAULT-VALUE}: logistic "
          + "regression with default parameters; none = no baseline).")
  String baseline;

  @Option(names = "--chance-floors", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Also require test ROC-AUC above chance by two standard errors and PR-AUC above the test rows' "
          + "positive rate (default: on; --no-chance-floors to drop them).")
  boolean chanceFloors;

  @Option(names = "--require-approval", description = "A passing version waits for `approve` instead of becoming champion.")
  boolean requireApproval;

  @Mixin
  RegistryOptions registry;

  @Override
  public Integer call() {
    Map<String, Double> floors = new LinkedHashMap<>();
    if (minRocAuc != null) {
      floors.put("test_roc_auc", minRocAuc);
    }
    if (minPrAuc != null) {
      floors.put("test_pr_auc", minPrAuc);
    }
    PromotionGate gate = new PromotionGate(metric, true, margin, floors);
    UntunedBaseline untuned = OptionChoice.parse("--baseline", baseline, UntunedBaseline.class);
    SparkSession spark = SparkSessions.getOrCreate("health-predict register");
    try (Tracking t = registry.tracking.connect(spark)) {
      RegisterRunner.Outcome o = new RegisterRunner(spark, line -> System.out.println("register: " + line))
          .run(runId, new RegisterRunner.Options(registry.name, gate, requireApproval, registry.actor, untuned, chanceFloors), t);
      System.out.println("register: " + o.reason());
      System.out.printf("register: OK name=%s version=%s decision=%s champion=%s test_roc_auc=%.4f test_pr_auc=%.4f"
              + " again=%s%n", registry.name, o.version().version(), o.verdict(), o.champion() == null ? "none" : o.champion(),
          o.testRocAuc(), o.testPrAuc(), o.again());
    }
    return HealthPredictCli.EXIT_OK;
  }
}

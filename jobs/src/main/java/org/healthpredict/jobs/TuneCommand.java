package org.healthpredict.jobs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.healthpredict.core.spark.SparkSessions;
import org.healthpredict.core.sweep.SweepMetric;
import org.healthpredict.core.sweep.SweepRunner;
import org.healthpredict.core.sweep.SweepSettings;
import org.healthpredict.core.tracking.Tracking;
import org.healthpredict.core.training.TrainingData;
import org.healthpredict.core.tuning.AshaConfig;
import org.healthpredict.core.tuning.SearchSpace;
import org.healthpredict.core.tuning.FoldSchedule;
import org.healthpredict.core.tuning.TrialState;
import org.healthpredict.core.tuning.WinnerRule;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `tune`: a parallel ASHA sweep over MLlib classifiers on Spark, tracked in MLflow. */
@Command(
    name = "tune",
    mixinStandardHelpOptions = true,
    description = {
        "Runs an ASHA (asynchronous successive halving) sweep over MLlib classifiers on Spark.",
        "",
        "Trials are sampled from the search space and trained in parallel, each in its own FAIR pool "
            + "(the Spark UI shows 'trial N · rung K · <config>'). After each rung below the top a trial goes on "
            + "only if it is in the top 1/eta of the results at that rung: with --promotion paper (default) it "
            + "waits there and a free worker promotes it once it is (the rung may grow meanwhile); with "
            + "immediate it is judged at once against the results so far and stopped if below. "
            + "Every trial is scored by patient-grouped k-fold cross-validation on train + validation (rung 0 on 2 "
            + "folds, more folds per rung, all k at the top; --rung-folds), as a mean and standard error; trials with "
            + "near-constant predictions, or at full resource no better than chance, are marked DEGENERATE and never "
            + "promoted. Each family's MLlib defaults are evaluated first at full resource; then TPE (after random "
            + "start-up trials) proposes configurations. The winner is the simplest completed trial within one "
            + "standard error of the best mean (--selection), refitted on train + validation, with its decision "
            + "threshold chosen on its out-of-fold predictions, and scored once on the test rows. "
            + "Every trial is an MLflow child run; the parent run ends with the model, its cross-validated and test "
            + "metrics, a CSV of all trials and the rung plot."
    })
final class TuneCommand implements Callable<Integer> {

  @Option(names = "--data", required = true, paramLabel = "URI",
      description = "Output directory of `split`. Repeat it to add encounters (e.g. batches of next-batch) to the "
          + "train part: the feature pipeline refits on the union; validation and test stay the split's.")
  List<String> data;

  @Option(names = "--space", paramLabel = "FILE",
      description = "Search space (YAML or JSON). Default: the bundled space over lr, rf and gbt.")
  Path space;

  @Option(names = "--metric", defaultValue = "ROC_AUC",
      description = "Cross-validated metric to optimise: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
  SweepMetric metric;

  @Option(names = "--mode", paramLabel = "max|min", description = "Optimise direction (default: the metric's natural one).")
  String mode;

  @Option(names = "--eta", defaultValue = "3", description = "Reduction factor η (default ${DEFAULT-VALUE}).")
  double eta;

  @Option(names = "--brackets", defaultValue = "1", description = "ASHA brackets (default ${DEFAULT-VALUE}).")
  int brackets;

  @Option(names = "--promotion", defaultValue = "paper", paramLabel = "paper|immediate",
      description = "When a trial is promoted (default ${DEFAULT-VALUE}): paper = Li et al.'s rule, the trial waits "
          + "at its rung and is promoted once in the top 1/eta of it; immediate = Ray Tune's, decided at once "
          + "against the rung's results so far (promotes more, since early rungs are near-empty).")
  String promotion;

  @Option(names = "--max-trials", paramLabel = "N", description = "Budget: trials to start (default 27 unless --time-budget is given).")
  Integer maxTrials;

  @Option(names = "--time-budget", paramLabel = "DURATION",
      description = "Budget: wall-clock time after which no trial starts or is promoted, e.g. 10m, 1h, PT90S.")
  String timeBudget;

  @Option(names = "--max-concurrent", paramLabel = "N",
      description = "Trials training at once (default: the cluster's cores / 2, at least 1).")
  Integer maxConcurrent;

  @Option(names = "--seed", defaultValue = "42", description = "Seed of sampling and models (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--folds", defaultValue = "5", paramLabel = "K",
      description = "Patient-grouped cross-validation folds on train + validation (default ${DEFAULT-VALUE}, at least 2).")
  int folds;

  @Option(names = "--rung-folds", defaultValue = "grow", paramLabel = "grow|all",
      description = "Folds per rung (default ${DEFAULT-VALUE}): grow = 2 at rung 0 up to all K at the top rung; "
          + "all = K at every rung.")
  String rungFolds;

  @Option(names = "--sampler", defaultValue = "tpe", paramLabel = "tpe|random",
      description = "How new trials are chosen (default ${DEFAULT-VALUE}): tpe = tree-structured Parzen estimator after "
          + "--startup-trials random ones; random = independent draws.")
  String sampler;

  @Option(names = "--startup-trials", defaultValue = "10", paramLabel = "N",
      description = "Trials with a result before TPE takes over from random draws (default ${DEFAULT-VALUE}).")
  int startupTrials;

  @Option(names = "--defaults-first", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Evaluate each family's MLlib defaults first, at full resource, so the sweep cannot end below the "
          + "untuned model on its own metric (default: on; --no-defaults-first to skip).")
  boolean defaultsFirst;

  @Option(names = "--selection", defaultValue = "one-se", paramLabel = "one-se|best",
      description = "How the winner is picked among completed trials (default ${DEFAULT-VALUE}): one-se = the smallest "
          + "model within one standard error of the best cross-validated mean; best = the best mean.")
  String selection;

  @Option(names = "--target-recall", paramLabel = "R",
      description = "Choose the decision threshold as the highest one reaching this recall on the out-of-fold "
          + "predictions (default: the threshold that maximises F1).")
  Double targetRecall;

  @Option(names = "--resume", paramLabel = "RUN_ID",
      description = "Continue the sweep recorded under this MLflow parent run (its driver died).")
  String resume;

  @Mixin
  TrackingOptions tracking;

  @Option(names = "--experiment", defaultValue = "health-predict", description = "MLflow experiment (default ${DEFAULT-VALUE}).")
  String experiment;

  @Option(names = "--run-name", defaultValue = "asha-sweep", description = "MLflow parent run name (default ${DEFAULT-VALUE}).")
  String runName;

  @Override
  public Integer call() throws IOException {
    String spaceText = space == null ? defaultSpaceText() : Files.readString(space);
    SearchSpace searchSpace = space == null ? SearchSpace.defaultSpace() : SearchSpace.load(space);
    boolean maximize = mode == null ? metric.higherIsBetter() : parseMode(mode);
    Duration budget = timeBudget == null ? null : DurationOption.parse("--time-budget", timeBudget);
    int trials = maxTrials != null ? maxTrials : budget != null ? AshaConfig.UNLIMITED : 27;
    AshaConfig.Promotion promotionRule = parsePromotion(promotion);

    FoldSchedule foldSchedule =
        new FoldSchedule(folds, OptionChoice.parse("--rung-folds", rungFolds, FoldSchedule.Policy.class));
    SweepSettings.SamplerKind samplerKind =
        OptionChoice.parse("--sampler", sampler, SweepSettings.SamplerKind.class);
    WinnerRule winner = winnerRule(selection);

    SparkSession spark = SparkSessions.getOrCreate("health-predict tune");
    int concurrent = maxConcurrent != null ? maxConcurrent : Math.max(1, spark.sparkContext().defaultParallelism() / 2);
    SweepSettings settings = new SweepSettings(metric, maximize, eta, brackets, promotionRule, trials,
        budget, concurrent, seed, foldSchedule, samplerKind, startupTrials, defaultsFirst, winner, targetRecall);
    String uri = tracking.uri();
    try (Tracking t = tracking.connect(spark)) {
      SweepRunner.Outcome o = new SweepRunner(spark, line -> System.out.println("tune: " + line))
          .run(TrainingData.read(spark, data), searchSpace, spaceText, settings, t, experiment, runName, resume);
      long completed = o.trials().stream().filter(trial -> trial.state() == TrialState.COMPLETED).count();
      long degenerate = o.trials().stream().filter(trial -> trial.state() == TrialState.DEGENERATE).count();
      System.out.printf("tune: OK run=%s trials=%d completed=%d degenerate=%d best_trial=%d best_%s=%.4f±%.4f "
              + "test_roc_auc=%.4f test_pr_auc=%.4f threshold=%.4f ui=%s/#/experiments/%s/runs/%s%n",
          o.parentRunId(), o.trials().size(), completed, degenerate, o.best().trialId(), metric.metricName(),
          o.best().metric(), o.best().score().standardError(), o.model().test().rocAuc(), o.model().test().prAuc(),
          o.model().threshold().threshold(), uri, o.experimentId(), o.parentRunId());
    }
    return HealthPredictCli.EXIT_OK;
  }

  private static String defaultSpaceText() throws IOException {
    try (var in = SearchSpace.class.getResourceAsStream(SearchSpace.DEFAULT_RESOURCE)) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  private static WinnerRule winnerRule(String selection) {
    return switch (selection.toLowerCase()) {
      case "one-se" -> WinnerRule.ONE_STANDARD_ERROR;
      case "best" -> WinnerRule.BEST;
      default -> throw new IllegalArgumentException("--selection: expected one-se or best, found '" + selection + "'");
    };
  }

  private static AshaConfig.Promotion parsePromotion(String promotion) {
    return switch (promotion.toLowerCase()) {
      case "paper" -> AshaConfig.Promotion.PAPER;
      case "immediate" -> AshaConfig.Promotion.IMMEDIATE;
      default -> throw new IllegalArgumentException("--promotion: expected paper or immediate, found '" + promotion + "'");
    };
  }

  private static boolean parseMode(String mode) {
    return switch (mode.toLowerCase()) {
      case "max" -> true;
      case "min" -> false;
      default -> throw new IllegalArgumentException("--mode: expected max or min, found '" + mode + "'");
    };
  }
}

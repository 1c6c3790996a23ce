package org.healthpredict.core.sweep;

import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.spark.sql.SparkSession;
import org.healthpredict.core.evaluation.ScoredPairs;
import org.healthpredict.core.split.SplitManifest;
import org.healthpredict.core.tracking.TrackedRun;
import org.healthpredict.core.tracking.Tracking;
import org.healthpredict.core.tracking.TrackingException;
import org.healthpredict.core.tuning.AshaConfig;
import org.healthpredict.core.tuning.AshaScheduler;
import org.healthpredict.core.tuning.Decision;
import org.healthpredict.core.tuning.Job;
import org.healthpredict.core.tuning.RandomSampler;
import org.healthpredict.core.tuning.Sampler;
import org.healthpredict.core.tuning.TpeSampler;
import org.healthpredict.core.tuning.TrialConfig;
import org.healthpredict.core.tuning.WinnerRule;
import org.healthpredict.core.tuning.SearchSpace;
import org.healthpredict.core.tuning.TrialEvent;
import org.healthpredict.core.tuning.TrialState;
import org.healthpredict.core.tuning.TrialStatus;
import org.healthpredict.core.training.Classifiers;
import org.healthpredict.core.training.SplitDatasetInput;
import org.healthpredict.core.training.TrainingData;

/**
 * Runs an ASHA sweep on Spark: up to {@code maxConcurrent} driver threads ({@link SweepWorkers}) each
 * take a job from the scheduler and fit it as Spark jobs in their own FAIR pool, labelled in the Spark
 * UI with the trial, rung and configuration ({@link SparkRungTrainer}). Every trial is an MLflow child
 * run of the sweep's parent run; the scheduler's history is journaled on the parent so a sweep whose
 * driver died can be resumed ({@link MlflowTrialRecords}). The time budget is read from the clock given
 * here, the same the scheduler compares its deadline with.
 */
public final class SweepRunner {

  /** Tag on child runs: the trial's final state (COMPLETED, STOPPED, DEGENERATE, FAILED). */
  public static final String STATE_TAG = "health_predict.trial_state";
  public static final String TRIAL_TAG = "health_predict.trial_id";

  private final SparkSession spark;
  private final Consumer<String> progress;
  private final InstantSource clock;

  public SweepRunner(SparkSession spark, Consumer<String> progress) {
    this(spark, progress, InstantSource.system());
  }

  SweepRunner(SparkSession spark, Consumer<String> progress, InstantSource clock) {
    this.spark = spark;
    this.progress = progress;
    this.clock = clock;
  }

  /** What a sweep found. */
  public record Outcome(String parentRunId, String experimentId, List<TrialStatus> trials,
      TrialEvent.Result best, BestModel.Evaluated model) {}

  /** Every result at the full resource (decision COMPLETE); degenerate trials never complete. */
  private static List<TrialEvent.Result> completed(AshaScheduler scheduler) {
    return scheduler.results().stream().filter(r -> r.decision() instanceof Decision.Complete).toList();
  }

  /**
   * Runs a new sweep, or continues the one recorded under {@code resumeRunId} (null for a new one).
   * The search space is checked against MLlib before any Spark work.
   */
  public Outcome run(String splitUri, SearchSpace space, String spaceText, SweepSettings settings,
      Tracking tracking, String experimentName, String runName, String resumeRunId) {
    return run(TrainingData.ofSplit(spark, splitUri), space, spaceText, settings, tracking, experimentName, runName,
        resumeRunId);
  }

  /** A sweep over a split plus further encounters added to its train part (see {@link TrainingData}). */
  public Outcome run(TrainingData input, SearchSpace space, String spaceText, SweepSettings settings,
      Tracking tracking, String experimentName, String runName, String resumeRunId) {
    space.families().keySet().forEach(f -> Classifiers.create(f, Map.of(), settings.seed()));
    String splitUri = input.splitUri();
    SplitManifest manifest = input.manifest();
    // The time budget runs from here, on the clock the scheduler compares its deadline with.
    AshaConfig config = settings.ashaConfig(clock.instant());

    TrackedRun parent;
    SweepJournal journal;
    AshaScheduler scheduler;
    if (resumeRunId == null) {
      parent = tracking.experiment(experimentName).startRun(runName);
      parent.setTags(Map.of("health_predict.job", "tune", "spark_version", spark.version()));
      parent.logParams(settings.asParams());
      space.families().forEach((name, f) -> parent.logParams(Map.of(
          "space." + name + ".resource", f.resource().kind().name().toLowerCase() + " " + f.resource().min() + ".." + f.resource().max())));
      parent.logParam("data", splitUri);
      parent.logParams(input.extraParams());
      parent.logParam("data_sha256", manifest.input().sha256());
      parent.logParams(manifest.input().generatorParams());
      parent.logText(spaceText, "sweep/search_space.yaml");
      parent.logText(manifest.toJson(), "data/split_manifest.json");
      parent.logDatasetInput(SplitDatasetInput.of(splitUri, manifest));
      journal = SweepJournal.create(parent);
      scheduler = new AshaScheduler(config, space, sampler(space, settings), startingPoints(space, settings), clock);
      progress.accept("sweep " + parent.runId() + " started in experiment '" + experimentName + "'");
    } else {
      parent = tracking.reopenRun(resumeRunId);
      journal = SweepJournal.resume(parent);
      scheduler = AshaScheduler.restore(config, space, sampler(space, settings), startingPoints(space, settings), clock,
          journal.events());
      progress.accept("resuming sweep " + resumeRunId + ": " + journal.events().size() + " events replayed");
      endDecidedTrials(tracking, scheduler, journal);
    }

    try {
      return runWorkers(input, space, settings, tracking, parent, journal, scheduler, config,
          resumeRunId != null);
    } catch (TrackingException e) {
      // The journal has every decision up to here; a resume picks the sweep up once MLflow is back.
      throw new SweepStoppedException(parent.runId(), e);
    }
  }

  private Outcome runWorkers(TrainingData input, SearchSpace space, SweepSettings settings,
      Tracking tracking, TrackedRun parent, SweepJournal journal, AshaScheduler scheduler,
      AshaConfig config, boolean resumed) {
    try (TrackedRun sweep = parent;
         FeaturisedData data = FeaturisedData.prepare(input.train().unionByName(input.validation()),
             settings.folds().folds(), settings.seed())) {
      progress.accept("features fitted once and cached: " + data.all().count() + " rows (train + validation) in "
          + data.folds() + " patient folds; test rows untouched until the winner is chosen");
      TrialTrainer trainer = new TrialTrainer(data, settings.seed());
      TrialRecords records = resumed ? MlflowTrialRecords.resumed(sweep, tracking, journal, settings.metric())
          : new MlflowTrialRecords(sweep, tracking, journal, settings.metric());
      SweepWorkers workers = new SweepWorkers(scheduler, new SparkRungTrainer(spark, trainer), records, settings,
          progress, resumed);
      workers.runAll();

      List<TrialStatus> trials = scheduler.trials();
      List<TrialEvent.Result> completed = completed(scheduler);
      TrialEvent.Result best = settings.winnerRule().choose(completed, settings.maximize())
          .orElseThrow(() -> new IllegalStateException(noWinner(trials)));
      TrialStatus bestTrial = trials.get(best.trialId());
      progress.accept(String.format("winner (%s of %d completed): trial %d · %s · %s %.4f ± %.4f over %d folds",
          settings.winnerRule() == WinnerRule.BEST ? "best mean" : "simplest within one standard error of the best",
          completed.size(), best.trialId(), bestTrial.config().describe(), settings.metric().metricName(),
          best.metric(), best.score().standardError(), best.score().folds()));

      SweepArtifacts.log(sweep, trials, scheduler.events(), settings, config);
      Job atR = new Job(best.trialId(), bestTrial.config(), best.rung(), best.resource(),
          space.family(bestTrial.config().family()).resource());
      // The winner may have completed under a driver that died: then its held-out predictions are fitted again.
      ScoredPairs outOfFold = workers.outOfFold(best.trialId())
          .orElseGet(() -> trainer.fit(atR, settings.folds().folds(), true, settings.metric()).outOfFold());
      workers.dropOutOfFold();
      BestModel.Evaluated model = new BestModel(spark, input, settings, progress)
          .logBest(sweep, data, atR, best, outOfFold);
      sweep.finish();
      return new Outcome(sweep.runId(), sweep.experiment().id(), trials, best, model);
    }
  }

  private static String noWinner(List<TrialStatus> trials) {
    long degenerate = trials.stream().filter(t -> t.state() == TrialState.DEGENERATE).count();
    return "no trial completed at the full resource R with a usable model (" + degenerate + " of " + trials.size()
        + " were degenerate); raise the budget (--max-trials / --time-budget) or widen the search space";
  }

  private static Sampler sampler(SearchSpace space, SweepSettings settings) {
    return settings.sampler() == SweepSettings.SamplerKind.TPE
        ? new TpeSampler(space, settings.seed(), settings.startupTrials())
        : new RandomSampler(space, settings.seed());
  }

  private static List<TrialConfig> startingPoints(SearchSpace space, SweepSettings settings) {
    return settings.defaultsFirst() ? FamilyDefaults.of(space, settings.seed()) : List.of();
  }

  /**
   * Trials the journal already decided (completed, stopped, failed) whose child run the dead driver
   * did not get to end: they are ended now, with their state, and never trained again.
   */
  private void endDecidedTrials(Tracking tracking, AshaScheduler scheduler, SweepJournal journal) {
    for (TrialStatus t : scheduler.trials()) {
      String childId = journal.childRunIds().get(t.id());
      if (!t.state().terminal() || childId == null
          || tracking.runInfo(childId).status() != org.healthpredict.core.tracking.StoredRun.Status.RUNNING) {
        continue;
      }
      try (TrackedRun child = tracking.reopenRun(childId)) {
        child.setTag(STATE_TAG, t.state().name());
        if (t.state() == TrialState.FAILED) {
          child.fail(new IllegalStateException("trial " + t.id() + " failed before the driver died"));
        } else {
          child.finish();
        }
      }
      progress.accept("trial " + t.id() + " was " + t.state() + " before the driver died; its run is ended");
    }
  }

}

package org.healthpredict.core.sweep;

import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.spark.SparkContext;
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
import org.healthpredict.core.tuning.RungScore;
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
 * Runs an ASHA sweep on Spark: up to {@code maxConcurrent} driver threads each take a job from the
 * scheduler and fit it as Spark jobs in their own FAIR pool, labelled in the Spark UI with the trial,
 * rung and configuration. Every trial is an MLflow child run of the sweep's parent run; the scheduler's
 * history is journaled on the parent so a sweep whose driver died can be resumed.
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
    AshaConfig config = ashaConfig(settings);

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
      Workers workers = new Workers(scheduler, journal, sweep, tracking, trainer, settings, resumed);
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
      ScoredPairs outOfFold = workers.outOfFold.get(best.trialId());
      if (outOfFold == null) {
        // The winner completed under a driver that died: its held-out predictions are fitted again.
        outOfFold = trainer.fit(atR, settings.folds().folds(), true, settings.metric()).outOfFold();
      }
      workers.outOfFold.clear();
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

  private static AshaConfig ashaConfig(SweepSettings s) {
    AshaConfig c = s.maximize() ? AshaConfig.maximize(s.maxTrials()) : AshaConfig.minimize(s.maxTrials());
    c = c.withEta(s.eta()).withBrackets(s.brackets()).withPromotion(s.promotion());
    return s.timeBudget() == null ? c : c.withDeadline(Instant.now().plus(s.timeBudget()));
  }

  /**
   * The driver threads: each takes a job from the scheduler, trains it, reports it, and takes the next;
   * a worker with nothing to take waits until another's result changes that or the sweep is over.
   */
  private final class Workers {
    private final AshaScheduler scheduler;
    private final SweepJournal journal;
    private final TrackedRun parent;
    private final Tracking tracking;
    private final TrialTrainer trainer;
    private final SweepSettings settings;
    private final Map<Integer, String> childRunIds;
    /**
     * One lock around scheduler calls and journal appends, so the journal's order is the replay order;
     * also the monitor idle workers wait on.
     */
    private final Object decisions = new Object();
    /** Set (under {@link #decisions}) when a worker died, so idle ones stop waiting for its result. */
    private boolean aborted;
    private final Map<Integer, String> running = new ConcurrentHashMap<>();
    /**
     * Open child runs that no worker holds: a trial just started, or one WAITING at a rung (paper
     * promotion), whose run stays open for its next rung or its stop. Runs of trials started or left
     * waiting by a dead driver are reopened instead.
     */
    private final Map<Integer, TrackedRun> children = new ConcurrentHashMap<>();
    /**
     * The pooled held-out predictions of trials that completed at R in this driver, by trial: the
     * winner's decision threshold is chosen on them. Few trials reach R (about 1 in η^rungs).
     */
    final Map<Integer, ScoredPairs> outOfFold = new ConcurrentHashMap<>();

    /** Whether this driver continues a dead one's sweep, so rungs may already be recorded. */
    private final boolean resumed;

    Workers(AshaScheduler scheduler, SweepJournal journal, TrackedRun parent, Tracking tracking,
        TrialTrainer trainer, SweepSettings settings, boolean resumed) {
      this.resumed = resumed;
      this.scheduler = scheduler;
      this.journal = journal;
      this.parent = parent;
      this.tracking = tracking;
      this.trainer = trainer;
      this.settings = settings;
      this.childRunIds = new ConcurrentHashMap<>(journal.childRunIds());
    }

    void runAll() {
      ExecutorService pool = Executors.newFixedThreadPool(settings.maxConcurrent(), r -> {
        Thread t = new Thread(r, "sweep-worker");
        t.setDaemon(true);
        return t;
      });
      ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sweep-progress");
        t.setDaemon(true);
        return t;
      });
      ticker.scheduleAtFixedRate(this::printStatus, 15, 15, TimeUnit.SECONDS);
      try {
        List<Future<?>> workers = new ArrayList<>();
        for (int i = 0; i < settings.maxConcurrent(); i++) {
          workers.add(pool.submit(this::work));
        }
        for (Future<?> w : workers) {
          w.get();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("sweep interrupted", e);
      } catch (java.util.concurrent.ExecutionException e) {
        if (e.getCause() instanceof RuntimeException cause) {
          throw cause;
        }
        throw new IllegalStateException("a sweep worker died: " + e.getCause(), e.getCause());
      } finally {
        ticker.shutdownNow();
        pool.shutdownNow();
      }
      printStatus();
    }

    private void work() {
      SparkContext sc = spark.sparkContext();
      try {
        for (Job job = take(); job != null; job = take()) {
          runTrial(sc, job);
        }
      } catch (RuntimeException | Error e) {
        synchronized (decisions) {
          aborted = true;
          decisions.notifyAll();
        }
        throw e;
      }
    }

    /**
     * The next job for this worker, or null once the sweep is over. With the paper's promotion an
     * empty answer may be temporary: a result still in flight can make a waiting trial promotable,
     * so the worker waits for the next result instead of leaving.
     */
    private Job take() {
      synchronized (decisions) {
        while (!aborted) {
          Optional<Job> next = scheduler.nextJob();
          journalNewEvents();
          if (next.isPresent()) {
            return next.get();
          }
          if (scheduler.isFinished()) {
            return null;
          }
          try {
            decisions.wait();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
          }
        }
        return null;
      }
    }

    /**
     * Journals the scheduler's events not journaled yet, in order (call under {@link #decisions}): a
     * new trial gets its child run first, a promotion is announced, and a waiting trial's stop ends
     * its run.
     */
    private void journalNewEvents() {
      List<TrialEvent> all = scheduler.events();
      for (TrialEvent event : List.copyOf(all.subList(journal.events().size(), all.size()))) {
        if (event instanceof TrialEvent.Started started) {
          startChild(started);
          continue;
        }
        journal.append(event);
        if (event instanceof TrialEvent.Decided d && d.decision() instanceof Decision.Continue next) {
          progress.accept("trial " + d.trialId() + " promoted from rung " + d.rung() + " to rung " + next.rung()
              + " (resource " + next.resource() + ")");
        } else if (event instanceof TrialEvent.Decided d && d.decision() instanceof Decision.Stop stop) {
          endWaiting(d.trialId(), d.rung(), stop);
        }
      }
    }

    private void startChild(TrialEvent.Started started) {
      int id = started.trialId();
      TrackedRun child = parent.startChild("trial-" + id);
      child.setTags(Map.of(TRIAL_TAG, String.valueOf(id), "health_predict.model_family", started.config().family()));
      child.logParams(started.config().params());
      child.logParam("model_family", started.config().family());
      childRunIds.put(id, child.runId());
      journal.appendStarted(started, child.runId());
      children.put(id, child);
    }

    /** A waiting trial stopped when the sweep ran out of work: its run ends STOPPED at the rung it waited at. */
    private void endWaiting(int id, int rung, Decision.Stop stop) {
      TrackedRun opened = children.remove(id);
      try (TrackedRun child = opened != null ? opened : tracking.reopenRun(childRunIds.get(id))) {
        child.setTags(stoppedTags(rung, stop));
        child.finish();
      }
      trainer.forget(id);
      progress.accept("trial " + id + " · rung " + rung + " → STOP (" + stop.reason() + ", waited there)");
    }

    private Map<String, String> stoppedTags(int rung, Decision.Stop stop) {
      TrialState state = stop.reason() == Decision.Reason.DEGENERATE ? TrialState.DEGENERATE : TrialState.STOPPED;
      return Map.of(STATE_TAG, state.name(), "health_predict.stopped_at_rung", String.valueOf(rung),
          "health_predict.stop_reason", stop.reason().name());
    }

    /**
     * Trains a trial from the job's rung on, in the trial's child run, until the trial completes,
     * stops, fails, or waits (paper promotion), which frees this worker while its run stays open.
     */
    private void runTrial(SparkContext sc, Job first) {
      int id = first.trialId();
      String pool = "trial-" + id;
      sc.setLocalProperty("spark.scheduler.pool", pool);
      TrackedRun opened = children.remove(id);
      TrackedRun child = opened != null ? opened : tracking.reopenRun(childRunIds.get(id));
      boolean waits = false;
      String label = null;
      try {
        Job job = first;
        while (job != null) {
          label = "trial " + id + " · rung " + job.rung() + " · " + job.config().describe();
          sc.setJobGroup(pool, label, false);
          running.put(id, label);
          long step = Math.round(job.resource());
          int rungs = scheduler.milestones(job.config().family()).size();
          int folds = settings.folds().foldsAt(job.rung(), rungs);
          RungScore recorded = resumed ? recordedScore(child.runId(), step) : null;
          TrialTrainer.Fitted fitted = null;
          try {
            if (recorded == null) {
              fitted = trainer.fit(job, folds, job.rung() == rungs - 1, settings.metric());
            }
          } catch (RuntimeException e) {
            synchronized (decisions) {
              scheduler.onFailure(id, String.valueOf(e));
              journalNewEvents();
              decisions.notifyAll();
            }
            child.setTags(Map.of(STATE_TAG, TrialState.FAILED.name(), "health_predict.error", String.valueOf(e)));
            progress.accept("trial " + id + " FAILED at rung " + job.rung() + ": " + e);
            child.fail(e);
            return;
          }
          RungScore value;
          if (fitted != null) {
            // Metrics first, journal second: a driver dying in between leaves a recorded rung that a
            // resumed sweep reads back (above) instead of training it again.
            value = fitted.score();
            child.logMetrics(foldMetrics(fitted), step);
            child.logMetric("rung", job.rung(), step);
            child.logMetric("fit_seconds", fitted.seconds(), step);
            child.logMetric("iterations_reused", fitted.iterationsReused(), step);
          } else {
            value = recorded;
            progress.accept(label + ": recorded before the driver died, not trained again");
          }
          Decision decision;
          synchronized (decisions) {
            int before = scheduler.events().size();
            decision = scheduler.onResult(id, job.rung(), value);
            TrialEvent.Result result = (TrialEvent.Result) scheduler.events().get(before);
            if (decision instanceof Decision.Wait) {
              // Before the journal: ending the sweep's work may stop this very trial at once (endWaiting).
              children.put(id, child);
              waits = true;
            }
            progress.accept(String.format("%s → %s %.4f ± %.4f over %d folds (%s) %s", label,
                settings.metric().metricName(), value.mean(), value.standardError(), value.folds(),
                Double.isNaN(result.cutoff()) ? "no cutoff yet" : String.format("cutoff %.4f", result.cutoff()),
                value.degenerate() ? "DEGENERATE (near-constant predictions or no better than chance)"
                    : decision.action()));
            journalNewEvents();
            decisions.notifyAll();
          }
          if (decision instanceof Decision.Continue next) {
            job = job.continueAt(next);
          } else if (decision instanceof Decision.Stop stop) {
            child.setTags(stoppedTags(job.rung(), stop));
            job = null;
          } else if (decision instanceof Decision.Complete) {
            child.setTag(STATE_TAG, TrialState.COMPLETED.name());
            if (fitted != null) {
              outOfFold.put(id, fitted.outOfFold());
            }
            job = null;
          } else {
            job = null;
          }
        }
        if (!waits) {
          child.finish();
        }
      } finally {
        if (!waits) {
          trainer.forget(id);
          child.close();  // ends the run FAILED if an exception got here before finish()
        }
        if (label != null) {
          // Only this worker's entry: once the trial waits, another worker may already run its next rung.
          running.remove(id, label);
        }
        sc.clearJobGroup();
      }
    }

    /**
     * Each metric's mean and standard error over the rung's folds ({@code val_roc_auc},
     * {@code val_roc_auc_se}, ...), the folds, the model size and whether the trial was degenerate.
     */
    private Map<String, Double> foldMetrics(TrialTrainer.Fitted fitted) {
      Map<String, Double> out = new java.util.LinkedHashMap<>();
      for (SweepMetric m : SweepMetric.values()) {
        RungScore s = RungScore.ofFolds(fitted.perFold().stream().mapToDouble(m::of).toArray(), false, Double.NaN);
        out.put(m.metricName(), s.mean());
        if (!Double.isNaN(s.standardError())) {
          out.put(m.metricName() + "_se", s.standardError());
        }
      }
      out.put("cv_folds", (double) fitted.score().folds());
      out.put("degenerate", fitted.score().degenerate() ? 1.0 : 0.0);
      if (!Double.isNaN(fitted.score().complexity())) {
        out.put("model_size", fitted.score().complexity());
      }
      return out;
    }

    /** A rung the dead driver logged but did not journal, read back from the child run's metrics; null if none. */
    private RungScore recordedScore(String runId, long step) {
      String name = settings.metric().metricName();
      Double mean = tracking.metricHistory(runId, name).get(step);
      if (mean == null) {
        return null;
      }
      Double se = tracking.metricHistory(runId, name + "_se").get(step);
      Double folds = tracking.metricHistory(runId, "cv_folds").get(step);
      Double degenerate = tracking.metricHistory(runId, "degenerate").get(step);
      Double size = tracking.metricHistory(runId, "model_size").get(step);
      return new RungScore(mean, se == null ? Double.NaN : se, folds == null ? 1 : folds.intValue(),
          degenerate != null && degenerate > 0.5, size == null ? Double.NaN : size);
    }

    private void printStatus() {
      List<TrialStatus> trials = scheduler.trials();
      long done = count(trials, TrialState.COMPLETED);
      long stopped = count(trials, TrialState.STOPPED);
      long failed = count(trials, TrialState.FAILED);
      long degenerate = count(trials, TrialState.DEGENERATE);
      long waiting = count(trials, TrialState.WAITING);
      String best = scheduler.best().map(r -> String.format("%.4f (trial %d)", r.metric(), r.trialId())).orElse("none yet");
      progress.accept(String.format(
          "status: %d running · %d waiting · %d completed · %d stopped · %d degenerate · %d failed · best %s",
          running.size(), waiting, done, stopped, degenerate, failed, best));
    }

    private long count(List<TrialStatus> trials, TrialState state) {
      return trials.stream().filter(t -> t.state() == state).count();
    }
  }
}

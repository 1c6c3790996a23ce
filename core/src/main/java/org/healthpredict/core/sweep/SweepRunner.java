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
import org.healthpredict.core.split.SplitManifest;
import org.healthpredict.core.tracking.TrackedRun;
import org.healthpredict.core.tracking.Tracking;
import org.healthpredict.core.tuning.AshaConfig;
import org.healthpredict.core.tuning.AshaScheduler;
import org.healthpredict.core.tuning.Decision;
import org.healthpredict.core.tuning.Job;
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

  /** Tag on child runs: the trial's final state (COMPLETED, STOPPED, FAILED). */
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
      parent.logText(spaceText, "sweep/search_space.yaml");
      parent.logText(manifest.toJson(), "data/split_manifest.json");
      parent.logDatasetInput(SplitDatasetInput.of(splitUri, manifest));
      journal = SweepJournal.create(parent);
      scheduler = new AshaScheduler(config, space, settings.seed(), clock);
      progress.accept("sweep " + parent.runId() + " started in experiment '" + experimentName + "'");
    } else {
      parent = tracking.reopenRun(resumeRunId);
      journal = SweepJournal.resume(parent);
      scheduler = AshaScheduler.restore(config, space, settings.seed(), clock, journal.events());
      progress.accept("resuming sweep " + resumeRunId + ": " + journal.events().size() + " events replayed");
      endDecidedTrials(tracking, scheduler, journal);
    }

    try (TrackedRun sweep = parent;
         FeaturisedData data = FeaturisedData.prepare(input.train(), input.validation())) {
      progress.accept("features fitted once and cached: " + data.train().count() + " train rows, "
          + data.validation().count() + " validation rows");
      new Workers(scheduler, journal, sweep, tracking, new TrialTrainer(data, settings.seed()), settings,
          resumeRunId != null).runAll();

      List<TrialStatus> trials = scheduler.trials();
      TrialEvent.Result best = scheduler.best().orElseThrow(() -> new IllegalStateException(
          "no trial reached the full resource R; raise the budget (--max-trials / --time-budget)"));
      TrialStatus bestTrial = trials.get(best.trialId());
      progress.accept(String.format("best: trial %d · %s · %s %.4f", best.trialId(), bestTrial.config().describe(),
          settings.metric().metricName(), best.metric()));

      SweepArtifacts.log(sweep, trials, scheduler.events(), settings, config);
      BestModel.Evaluated model = new BestModel(spark, input, settings, progress)
          .refitAndLog(sweep, bestTrial, best, space.family(bestTrial.config().family()).resource());
      sweep.finish();
      return new Outcome(sweep.runId(), sweep.experiment().id(), trials, best, model);
    }
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
    c = c.withEta(s.eta()).withBrackets(s.brackets());
    return s.timeBudget() == null ? c : c.withDeadline(Instant.now().plus(s.timeBudget()));
  }

  /** The driver threads: each takes jobs until the scheduler has none, running one trial at a time. */
  private final class Workers {
    private final AshaScheduler scheduler;
    private final SweepJournal journal;
    private final TrackedRun parent;
    private final Tracking tracking;
    private final TrialTrainer trainer;
    private final SweepSettings settings;
    private final Map<Integer, String> childRunIds;
    /** One lock around scheduler decisions and journal appends: the journal's order is the replay order. */
    private final Object decisions = new Object();
    private final Map<Integer, String> running = new ConcurrentHashMap<>();
    /** Child runs started by this driver; a resumed trial's run is reopened instead. */
    private final Map<Integer, TrackedRun> children = new ConcurrentHashMap<>();

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
        throw new IllegalStateException("a sweep worker died: " + e.getCause(), e.getCause());
      } finally {
        ticker.shutdownNow();
        pool.shutdownNow();
      }
      printStatus();
    }

    private void work() {
      SparkContext sc = spark.sparkContext();
      while (true) {
        Optional<Job> next;
        synchronized (decisions) {
          next = scheduler.nextJob();
          next.ifPresent(this::recordStart);
        }
        if (next.isEmpty()) {
          // Decisions are immediate, so an empty answer means the budget is spent: this worker is done.
          return;
        }
        runTrial(sc, next.get());
      }
    }

    /** Journals a new trial with its child run, or reopens the child run of a trial being resumed. */
    private void recordStart(Job job) {
      if (childRunIds.containsKey(job.trialId())) {
        return;
      }
      TrackedRun child = parent.startChild("trial-" + job.trialId());
      child.setTags(Map.of(TRIAL_TAG, String.valueOf(job.trialId()), "health_predict.model_family", job.config().family()));
      child.logParams(job.config().params());
      child.logParam("model_family", job.config().family());
      childRunIds.put(job.trialId(), child.runId());
      TrialEvent.Started started = scheduler.events().stream()
          .filter(e -> e instanceof TrialEvent.Started s && s.trialId() == job.trialId())
          .map(TrialEvent.Started.class::cast).reduce((a, b) -> b).orElseThrow();
      journal.appendStarted(started, child.runId());
      children.put(job.trialId(), child);
    }

    private void runTrial(SparkContext sc, Job first) {
      int id = first.trialId();
      String pool = "trial-" + id;
      sc.setLocalProperty("spark.scheduler.pool", pool);
      TrackedRun opened = children.remove(id);
      try (TrackedRun child = opened != null ? opened : tracking.reopenRun(childRunIds.get(id))) {
        Job job = first;
        while (job != null) {
          String label = "trial " + id + " · rung " + job.rung() + " · " + job.config().describe();
          sc.setJobGroup(pool, label, false);
          running.put(id, label);
          long step = Math.round(job.resource());
          Double recorded = resumed ? tracking.metricHistory(child.runId(), settings.metric().metricName()).get(step) : null;
          TrialTrainer.Fitted fitted = null;
          try {
            if (recorded == null) {
              fitted = trainer.fit(job);
            }
          } catch (RuntimeException e) {
            synchronized (decisions) {
              scheduler.onFailure(id, String.valueOf(e));
              journal.append(lastEvent());
            }
            child.setTags(Map.of(STATE_TAG, TrialState.FAILED.name(), "health_predict.error", String.valueOf(e)));
            progress.accept("trial " + id + " FAILED at rung " + job.rung() + ": " + e);
            child.fail(e);
            return;
          }
          double value;
          if (fitted != null) {
            // Metrics first, journal second: a driver dying in between leaves a recorded rung that a
            // resumed sweep reads back (above) instead of training it again.
            value = settings.metric().of(fitted.validation());
            child.logMetrics(fitted.validation().asMap("val_"), step);
            child.logMetric("rung", job.rung(), step);
            child.logMetric("fit_seconds", fitted.seconds(), step);
          } else {
            value = recorded;
            progress.accept(label + ": recorded before the driver died, not trained again");
          }
          Decision decision;
          TrialEvent.Result result;
          synchronized (decisions) {
            decision = scheduler.onResult(id, job.rung(), value);
            result = (TrialEvent.Result) lastEvent();
            journal.append(result);
          }
          progress.accept(String.format("%s → %s %.4f (cutoff %.4f) %s", label, settings.metric().metricName(),
              value, result.cutoff(), decision.action()));
          if (decision instanceof Decision.Continue next) {
            job = job.continueAt(next);
          } else if (decision instanceof Decision.Stop stop) {
            child.setTags(Map.of(STATE_TAG, TrialState.STOPPED.name(), "health_predict.stopped_at_rung",
                String.valueOf(job.rung()), "health_predict.stop_reason", stop.reason().name()));
            job = null;
          } else {
            child.setTag(STATE_TAG, TrialState.COMPLETED.name());
            job = null;
          }
        }
        child.finish();
      } finally {
        running.remove(id);
        sc.clearJobGroup();
      }
    }

    private TrialEvent lastEvent() {
      List<TrialEvent> events = scheduler.events();
      return events.get(events.size() - 1);
    }

    private void printStatus() {
      List<TrialStatus> trials = scheduler.trials();
      long done = count(trials, TrialState.COMPLETED);
      long stopped = count(trials, TrialState.STOPPED);
      long failed = count(trials, TrialState.FAILED);
      String best = scheduler.best().map(r -> String.format("%.4f (trial %d)", r.metric(), r.trialId())).orElse("none yet");
      progress.accept(String.format("status: %d running · %d completed · %d stopped · %d failed · best %s",
          running.size(), done, stopped, failed, best));
    }

    private long count(List<TrialStatus> trials, TrialState state) {
      return trials.stream().filter(t -> t.state() == state).count();
    }
  }
}

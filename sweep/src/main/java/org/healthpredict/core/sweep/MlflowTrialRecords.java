package org.healthpredict.core.sweep;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.healthpredict.core.tracking.StoredRun;
import org.healthpredict.core.tracking.TrackedRun;
import org.healthpredict.core.tracking.Tracking;
import org.healthpredict.core.tuning.Decision;
import org.healthpredict.core.tuning.RungScore;
import org.healthpredict.core.tuning.TrialEvent;
import org.healthpredict.core.tuning.TrialState;

/**
 * A sweep's trials as MLflow child runs of the sweep's run, tagged with the trial and its final state
 * ({@link SweepRunner#STATE_TAG}), and its journal as the sweep run's {@link SweepJournal}.
 */
final class MlflowTrialRecords implements TrialRecords {

  private static final String CHILD_NAME_PREFIX = "trial-";

  private final TrackedRun sweep;
  private final Tracking tracking;
  private final SweepJournal journal;
  private final SweepMetric metric;
  /**
   * The child runs this driver holds open: trials started, trained or left WAITING at a rung (paper
   * promotion) here. The run of a trial started or left waiting by a driver that died is reopened instead.
   */
  private final Map<Integer, TrackedRun> open = new ConcurrentHashMap<>();
  /**
   * Trial runs a driver that stopped had created but not journaled yet (the tracking server went away
   * between the two), by trial id: a resumed sweep takes them up again instead of leaving them RUNNING
   * next to a second run of the same trial.
   */
  private final Map<Integer, String> orphans;

  MlflowTrialRecords(TrackedRun sweep, Tracking tracking, SweepJournal journal, SweepMetric metric) {
    this(sweep, tracking, journal, metric, Map.of());
  }

  private MlflowTrialRecords(TrackedRun sweep, Tracking tracking, SweepJournal journal, SweepMetric metric,
      Map<Integer, String> orphans) {
    this.sweep = sweep;
    this.tracking = tracking;
    this.journal = journal;
    this.metric = metric;
    this.orphans = new ConcurrentHashMap<>(orphans);
  }

  /** The records of a resumed sweep, which adopts the trial runs its journal does not know of. */
  static MlflowTrialRecords resumed(TrackedRun sweep, Tracking tracking, SweepJournal journal,
      SweepMetric metric) {
    Map<Integer, String> orphans = new HashMap<>();
    Set<String> journaled = Set.copyOf(journal.childRunIds().values());
    for (StoredRun child : tracking.childRuns(sweep.runId())) {
      if (!journaled.contains(child.runId())
          && child.runName().matches(CHILD_NAME_PREFIX + "\\d+")) {
        // Oldest first: a trial orphaned twice keeps its first run.
        orphans.putIfAbsent(Integer.parseInt(child.runName().substring(CHILD_NAME_PREFIX.length())),
            child.runId());
      }
    }
    return new MlflowTrialRecords(sweep, tracking, journal, metric, orphans);
  }

  @Override
  public int journaled() {
    // The journal's own count: an event whose upload failed is held there and stored with the next one.
    return journal.events().size();
  }

  @Override
  public void started(TrialEvent.Started started) {
    int id = started.trialId();
    String orphan = orphans.remove(id);
    TrackedRun child = orphan != null ? tracking.reopenRun(orphan) : sweep.startChild(CHILD_NAME_PREFIX + id);
    child.setTags(Map.of(SweepRunner.TRIAL_TAG, String.valueOf(id), "health_predict.model_family",
        started.config().family()));
    child.logParams(started.config().params());
    child.logParam("model_family", started.config().family());
    journal.appendStarted(started, child.runId());
    open.put(id, child);
  }

  @Override
  public void journal(TrialEvent event) {
    journal.append(event);
  }

  @Override
  public void open(int trialId) {
    run(trialId);
  }

  @Override
  public RungScore recorded(int trialId, long step) {
    String runId = runId(trialId);
    String name = metric.metricName();
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

  @Override
  public void trained(int trialId, int rung, long step, FittedRung fitted) {
    TrackedRun child = run(trialId);
    child.logMetrics(fitted.metrics(), step);
    child.logMetric("rung", rung, step);
    child.logMetric("fit_seconds", fitted.seconds(), step);
    child.logMetric("iterations_reused", fitted.iterationsReused(), step);
  }

  @Override
  public void failed(int trialId, RuntimeException error) {
    TrackedRun child = run(trialId);
    child.setTags(Map.of(SweepRunner.STATE_TAG, TrialState.FAILED.name(), "health_predict.error",
        String.valueOf(error)));
    child.fail(error);
    open.remove(trialId);
  }

  @Override
  public void stopped(int trialId, int rung, Decision.Stop stop) {
    TrackedRun child = run(trialId);
    TrialState state = stop.reason() == Decision.Reason.DEGENERATE ? TrialState.DEGENERATE : TrialState.STOPPED;
    child.setTags(Map.of(SweepRunner.STATE_TAG, state.name(), "health_predict.stopped_at_rung",
        String.valueOf(rung), "health_predict.stop_reason", stop.reason().name()));
    child.finish();
    open.remove(trialId);
  }

  @Override
  public void completed(int trialId) {
    TrackedRun child = run(trialId);
    child.setTag(SweepRunner.STATE_TAG, TrialState.COMPLETED.name());
    child.finish();
    open.remove(trialId);
  }

  @Override
  public void close(int trialId) {
    TrackedRun child = open.remove(trialId);
    if (child != null) {
      child.close();  // ends the run FAILED unless it ended already
    }
  }

  private TrackedRun run(int trialId) {
    TrackedRun child = open.get(trialId);
    if (child == null) {
      child = tracking.reopenRun(runId(trialId));
      open.put(trialId, child);
    }
    return child;
  }

  private String runId(int trialId) {
    return journal.childRunId(trialId).orElseThrow(() -> new IllegalStateException(
        "trial " + trialId + " has no run in the journal of sweep " + journal.runId()));
  }
}

package org.healthpredict.core.sweep;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.healthpredict.core.tuning.Decision;
import org.healthpredict.core.tuning.RungScore;
import org.healthpredict.core.tuning.TrialEvent;
import org.healthpredict.core.tuning.TrialState;

/**
 * Trial records held in memory for the worker tests: the journal as a list, and per trial a run with
 * a status, tags and metrics by step. A run that ends twice, or is written to after it ended, fails
 * the worker that does it. It can be told to fail when a trial's rung is logged, as a tracking server
 * that stays away would.
 */
final class RecordedTrials implements TrialRecords {

  enum Status { RUNNING, FINISHED, FAILED }

  /** A trial's run. */
  static final class Run {
    private Status status = Status.RUNNING;
    private int reopened;
    private final Map<String, String> tags = new TreeMap<>();
    private final Map<Long, Map<String, Double>> metrics = new TreeMap<>();

    synchronized Status status() {
      return status;
    }

    synchronized Map<String, String> tags() {
      return Map.copyOf(tags);
    }

    synchronized Map<Long, Map<String, Double>> metrics() {
      return Map.copyOf(metrics);
    }

    synchronized int reopened() {
      return reopened;
    }
  }

  private final List<TrialEvent> journal = new CopyOnWriteArrayList<>();
  private final Map<Integer, Run> runs = new ConcurrentHashMap<>();
  private volatile Set<Integer> loggingFailsFor = Set.of();
  private volatile RuntimeException loggingFailure;
  private volatile Runnable beforeLoggingFails = () -> {};

  /** Logging a rung of these trials throws {@code failure}, after running {@code before}. */
  RecordedTrials failLoggingFor(RuntimeException failure, Runnable before, Integer... trialIds) {
    this.loggingFailure = failure;
    this.beforeLoggingFails = before;
    this.loggingFailsFor = Set.of(trialIds);
    return this;
  }

  List<TrialEvent> journalEvents() {
    return List.copyOf(journal);
  }

  Run run(int trialId) {
    Run run = runs.get(trialId);
    if (run == null) {
      throw new AssertionError("trial " + trialId + " has no run");
    }
    return run;
  }

  Map<Integer, Run> runs() {
    return Map.copyOf(runs);
  }

  @Override
  public int journaled() {
    return journal.size();
  }

  @Override
  public void started(TrialEvent.Started started) {
    if (runs.putIfAbsent(started.trialId(), new Run()) != null) {
      throw new AssertionError("trial " + started.trialId() + " started twice");
    }
    journal.add(started);
  }

  @Override
  public void journal(TrialEvent event) {
    journal.add(event);
  }

  @Override
  public void open(int trialId) {
    Run run = run(trialId);
    synchronized (run) {
      if (run.status != Status.RUNNING) {
        run.status = Status.RUNNING;
        run.reopened++;
      }
    }
  }

  @Override
  public RungScore recorded(int trialId, long step) {
    Map<String, Double> m = run(trialId).metrics().get(step);
    return m == null ? null : new RungScore(m.get("val_roc_auc"), m.getOrDefault("val_roc_auc_se", Double.NaN),
        m.get("cv_folds").intValue(), m.get("degenerate") > 0.5, m.getOrDefault("model_size", Double.NaN));
  }

  @Override
  public void trained(int trialId, int rung, long step, FittedRung fitted) {
    if (loggingFailsFor.contains(trialId)) {
      beforeLoggingFails.run();
      throw loggingFailure;
    }
    Run run = running(trialId);
    synchronized (run) {
      run.metrics.put(step, fitted.metrics());
    }
  }

  @Override
  public void failed(int trialId, RuntimeException error) {
    end(trialId, Status.FAILED, Map.of(SweepRunner.STATE_TAG, TrialState.FAILED.name(), "health_predict.error",
        String.valueOf(error)));
  }

  @Override
  public void stopped(int trialId, int rung, Decision.Stop stop) {
    TrialState state = stop.reason() == Decision.Reason.DEGENERATE ? TrialState.DEGENERATE : TrialState.STOPPED;
    end(trialId, Status.FINISHED, Map.of(SweepRunner.STATE_TAG, state.name(), "health_predict.stopped_at_rung",
        String.valueOf(rung), "health_predict.stop_reason", stop.reason().name()));
  }

  @Override
  public void completed(int trialId) {
    end(trialId, Status.FINISHED, Map.of(SweepRunner.STATE_TAG, TrialState.COMPLETED.name()));
  }

  @Override
  public void close(int trialId) {
    Run run = run(trialId);
    synchronized (run) {
      if (run.status == Status.RUNNING) {
        run.status = Status.FAILED;
        run.tags.put("health_predict.failure", "closed without finish()");
      }
    }
  }

  private void end(int trialId, Status status, Map<String, String> tags) {
    Run run = running(trialId);
    synchronized (run) {
      run.tags.putAll(tags);
      run.status = status;
    }
  }

  private Run running(int trialId) {
    Run run = run(trialId);
    if (run.status() != Status.RUNNING) {
      throw new AssertionError("trial " + trialId + "'s run was written to after it ended " + run.status());
    }
    return run;
  }
}

package org.healthpredict.core.sweep;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.healthpredict.core.evaluation.ScoredPairs;
import org.healthpredict.core.tuning.AshaScheduler;
import org.healthpredict.core.tuning.Decision;
import org.healthpredict.core.tuning.Job;
import org.healthpredict.core.tuning.RungScore;
import org.healthpredict.core.tuning.TrialEvent;
import org.healthpredict.core.tuning.TrialState;
import org.healthpredict.core.tuning.TrialStatus;

/**
 * The sweep's driver threads: {@code maxConcurrent} workers each take a job from the scheduler, train
 * it ({@link RungTrainer}), report the result, and take the next; a worker with nothing to take waits
 * until another's result changes that or the sweep is over. Trials' runs and the journal are kept by
 * {@link TrialRecords}. The time budget is the scheduler's: past its deadline it hands out nothing more,
 * and the workers leave once the trainings in flight are reported.
 */
final class SweepWorkers {

  private static final long STATUS_EVERY_SECONDS = 15;

  private final AshaScheduler scheduler;
  private final RungTrainer trainer;
  private final TrialRecords records;
  private final SweepSettings settings;
  private final Consumer<String> progress;
  /** Whether this driver continues a dead one's sweep, so rungs may already be recorded. */
  private final boolean resumed;

  /**
   * Held around each scheduler call that decides and the journal appends that follow it, so the
   * journal's order is the replay order.
   */
  private final Lock decisions = new ReentrantLock();
  /** Signalled when a result or a failure may have given an idle worker a job, or the sweep is aborted. */
  private final Condition changed = decisions.newCondition();
  /** Set under {@link #decisions} once a worker died: the others take no further job or rung. */
  private volatile boolean aborted;
  /** What each busy worker trains, by trial, for the status line. */
  private final Map<Integer, String> running = new ConcurrentHashMap<>();
  /**
   * The pooled held-out predictions of trials that completed at R in this driver, by trial: the
   * winner's decision threshold is chosen on them. Few trials reach R (about 1 in η^rungs).
   */
  private final Map<Integer, ScoredPairs> outOfFold = new ConcurrentHashMap<>();

  SweepWorkers(AshaScheduler scheduler, RungTrainer trainer, TrialRecords records, SweepSettings settings,
      Consumer<String> progress, boolean resumed) {
    this.scheduler = scheduler;
    this.trainer = trainer;
    this.records = records;
    this.settings = settings;
    this.progress = progress;
    this.resumed = resumed;
  }

  /** How a job shows in the console and the Spark UI, e.g. {@code trial 4 · rung 1 · gbt maxDepth=3}. */
  static String label(Job job) {
    return "trial " + job.trialId() + " · rung " + job.rung() + " · " + job.config().describe();
  }

  /**
   * Runs the workers until the sweep is over.
   *
   * @throws RuntimeException the exception of the first worker that died (an {@link Error} wrapped in
   *     an IllegalStateException), once every worker has stopped; later ones are suppressed in it
   */
  void runAll() {
    int workers = settings.maxConcurrent();
    ExecutorService pool = Executors.newFixedThreadPool(workers, daemon("sweep-worker"));
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(daemon("sweep-progress"));
    ticker.scheduleAtFixedRate(this::printStatus, STATUS_EVERY_SECONDS, STATUS_EVERY_SECONDS, TimeUnit.SECONDS);
    try {
      CompletionService<Void> done = new ExecutorCompletionService<>(pool);
      for (int i = 0; i < workers; i++) {
        done.submit(this::work, null);
      }
      // In the order the workers end, so the exception reported is the one that stopped the sweep.
      Throwable died = null;
      for (int i = 0; i < workers; i++) {
        try {
          done.take().get();
        } catch (ExecutionException e) {
          if (died == null) {
            died = e.getCause();
          } else if (died != e.getCause()) {
            died.addSuppressed(e.getCause());
          }
        }
      }
      if (died instanceof RuntimeException e) {
        throw e;
      }
      if (died != null) {
        throw new IllegalStateException("a sweep worker died: " + died, died);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("sweep interrupted", e);
    } finally {
      ticker.shutdownNow();
      pool.shutdownNow();
    }
    printStatus();
  }

  /** The pooled held-out predictions of a trial that completed at R in this driver; empty for others. */
  Optional<ScoredPairs> outOfFold(int trialId) {
    return Optional.ofNullable(outOfFold.get(trialId));
  }

  /** Drops the held-out predictions kept so far, once the winner's have been taken. */
  void dropOutOfFold() {
    outOfFold.clear();
  }

  private void work() {
    try {
      for (Job job = take(); job != null; job = take()) {
        runTrial(job);
      }
    } catch (RuntimeException | Error e) {
      abort();
      throw e;
    }
  }

  /** A worker died: idle workers stop waiting for its result, busy ones stop after their rung. */
  private void abort() {
    decisions.lock();
    try {
      aborted = true;
      changed.signalAll();
    } finally {
      decisions.unlock();
    }
  }

  /**
   * The next job for this worker, or null once the sweep is over. With the paper's promotion an
   * empty answer may be temporary: a result still in flight can make a waiting trial promotable,
   * so the worker waits for the next result instead of leaving.
   */
  private Job take() {
    decisions.lock();
    try {
      while (!aborted) {
        Optional<Job> next = scheduler.nextJob();
        journalNewEvents();
        if (next.isPresent()) {
          return next.get();
        }
        if (scheduler.isFinished()) {
          return null;
        }
        changed.await();
      }
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } finally {
      decisions.unlock();
    }
  }

  /**
   * Journals the scheduler's events not journaled yet, in order (call under {@link #decisions}): a
   * new trial gets its run first, a promotion is announced, and a waiting trial's stop ends its run.
   */
  private void journalNewEvents() {
    List<TrialEvent> all = scheduler.events();
    for (TrialEvent event : all.subList(records.journaled(), all.size())) {
      if (event instanceof TrialEvent.Started started) {
        records.started(started);
        continue;
      }
      records.journal(event);
      if (event instanceof TrialEvent.Decided d && d.decision() instanceof Decision.Continue next) {
        progress.accept("trial " + d.trialId() + " promoted from rung " + d.rung() + " to rung " + next.rung()
            + " (resource " + next.resource() + ")");
      } else if (event instanceof TrialEvent.Decided d && d.decision() instanceof Decision.Stop stop) {
        endWaiting(d.trialId(), d.rung(), stop);
      }
    }
  }

  /** A waiting trial stopped when the sweep ran out of work: its run ends STOPPED at the rung it waited at. */
  private void endWaiting(int id, int rung, Decision.Stop stop) {
    records.open(id);
    try {
      records.stopped(id, rung, stop);
    } finally {
      records.close(id);
    }
    trainer.forget(id);
    progress.accept("trial " + id + " · rung " + rung + " → STOP (" + stop.reason() + ", waited there)");
  }

  /**
   * Trains a trial from the job's rung on, until the trial completes, stops, fails, or waits (paper
   * promotion), which frees this worker while the trial's run stays open for its next rung.
   */
  private void runTrial(Job first) {
    int id = first.trialId();
    records.open(id);
    boolean waits = false;
    String label = null;
    try {
      Job job = first;
      while (job != null && !aborted) {
        label = label(job);
        running.put(id, label);
        long step = Math.round(job.resource());
        FittedRung fitted = null;
        RungScore value = resumed ? records.recorded(id, step) : null;
        if (value != null) {
          progress.accept(label + ": recorded before the driver died, not trained again");
        } else {
          try {
            fitted = fit(job);
          } catch (RuntimeException e) {
            fail(job, e);
            return;
          }
          // Metrics first, journal second: a driver dying in between leaves a recorded rung that a
          // resumed sweep reads back (above) instead of training it again.
          records.trained(id, job.rung(), step, fitted);
          value = fitted.score();
        }
        Decision decision;
        decisions.lock();
        try {
          decision = report(job, value, label);
          // Known before the journal, which may stop this very trial at once (endWaiting) and so end its run.
          waits = decision instanceof Decision.Wait;
          journalNewEvents();
          changed.signalAll();
        } finally {
          decisions.unlock();
        }
        if (decision instanceof Decision.Continue next) {
          job = job.continueAt(next);
        } else {
          end(job, decision, fitted);
          job = null;
        }
      }
    } finally {
      if (!waits) {
        trainer.forget(id);
        records.close(id);  // ends the run FAILED if an exception or an abort got here before its end
      }
      if (label != null) {
        // Only this worker's entry: once the trial waits, another worker may already run its next rung.
        running.remove(id, label);
      }
    }
  }

  private FittedRung fit(Job job) {
    int rungs = scheduler.milestones(job.config().family()).size();
    int folds = settings.folds().foldsAt(job.rung(), rungs);
    return trainer.fit(job, folds, job.rung() == rungs - 1, settings.metric());
  }

  /** Reports a rung's score and prints it with the scheduler's decision (call under {@link #decisions}). */
  private Decision report(Job job, RungScore value, String label) {
    int before = scheduler.events().size();
    Decision decision = scheduler.onResult(job.trialId(), job.rung(), value);
    TrialEvent.Result result = (TrialEvent.Result) scheduler.events().get(before);
    progress.accept(String.format("%s → %s %.4f ± %.4f over %d folds (%s) %s", label,
        settings.metric().metricName(), value.mean(), value.standardError(), value.folds(),
        Double.isNaN(result.cutoff()) ? "no cutoff yet" : String.format("cutoff %.4f", result.cutoff()),
        value.degenerate() ? "DEGENERATE (near-constant predictions or no better than chance)"
            : decision.action()));
    return decision;
  }

  /** A trial's last decision in this worker; a WAITING trial's run stays open. */
  private void end(Job job, Decision decision, FittedRung fitted) {
    if (decision instanceof Decision.Stop stop) {
      records.stopped(job.trialId(), job.rung(), stop);
    } else if (decision instanceof Decision.Complete) {
      if (fitted != null) {
        outOfFold.put(job.trialId(), fitted.outOfFold());
      }
      records.completed(job.trialId());
    }
  }

  /** The training failed: the trial is FAILED, its worker free, and the sweep goes on. */
  private void fail(Job job, RuntimeException e) {
    decisions.lock();
    try {
      scheduler.onFailure(job.trialId(), String.valueOf(e));
      journalNewEvents();
      changed.signalAll();
    } finally {
      decisions.unlock();
    }
    progress.accept("trial " + job.trialId() + " FAILED at rung " + job.rung() + ": " + e);
    records.failed(job.trialId(), e);
  }

  private void printStatus() {
    List<TrialStatus> trials = scheduler.trials();
    String best = scheduler.best().map(r -> String.format("%.4f (trial %d)", r.metric(), r.trialId()))
        .orElse("none yet");
    progress.accept(String.format(
        "status: %d running · %d waiting · %d completed · %d stopped · %d degenerate · %d failed · best %s",
        running.size(), count(trials, TrialState.WAITING), count(trials, TrialState.COMPLETED),
        count(trials, TrialState.STOPPED), count(trials, TrialState.DEGENERATE), count(trials, TrialState.FAILED),
        best));
  }

  private static long count(List<TrialStatus> trials, TrialState state) {
    return trials.stream().filter(t -> t.state() == state).count();
  }

  private static ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}

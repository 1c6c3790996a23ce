package org.healthpredict.core.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.healthpredict.core.tuning.AshaConfig;
import org.healthpredict.core.tuning.AshaScheduler;
import org.healthpredict.core.tuning.Decision;
import org.healthpredict.core.tuning.FoldSchedule;
import org.healthpredict.core.tuning.RandomSampler;
import org.healthpredict.core.tuning.SearchSpace;
import org.healthpredict.core.tuning.TrialEvent;
import org.healthpredict.core.tuning.TrialState;
import org.healthpredict.core.tuning.TrialStatus;
import org.healthpredict.core.tuning.WinnerRule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The sweep's worker loop without Spark or MLflow: a trainer that only computes a score
 * ({@link ScoringTrainer}), records in memory ({@link RecordedTrials}) and, for the time budget, a
 * clock the fits move on.
 */
@Timeout(60)
class SweepWorkersTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  /** Long enough for a thread on a loaded machine, short next to the test's timeout. */
  private static final long PATIENCE_SECONDS = 20;

  /** One family whose resource climbs 1, 3, 9 iterations (three rungs at η = 3). */
  private static final SearchSpace ONE_FAMILY = SearchSpace.parse("""
      families:
        f:
          resource: {kind: iterations, param: maxIter, min: 1, max: 9}
          params:
            x: {uniform: [0.5, 1.0]}
      """, "one-family.yaml");

  private static SweepSettings settings(AshaConfig.Promotion promotion, int maxTrials, Duration budget,
      int workers) {
    return new SweepSettings(SweepMetric.ROC_AUC, true, 3, 1, promotion, maxTrials, budget, workers, 7,
        new FoldSchedule(3, FoldSchedule.Policy.GROW), SweepSettings.SamplerKind.RANDOM, 10, false,
        WinnerRule.BEST, null);
  }

  /** A sweep ready to run: its scheduler on the given clock, the workers, their records and console. */
  private record Sweep(AshaScheduler scheduler, SweepWorkers workers, RecordedTrials records, List<String> lines) {

    static Sweep of(SweepSettings settings, RungTrainer trainer, InstantSource clock) {
      return of(settings, trainer, new RecordedTrials(), clock);
    }

    static Sweep of(SweepSettings settings, RungTrainer trainer, RecordedTrials records, InstantSource clock) {
      AshaScheduler scheduler = new AshaScheduler(settings.ashaConfig(clock.instant()), ONE_FAMILY,
          new RandomSampler(ONE_FAMILY, settings.seed()), List.of(), clock);
      List<String> lines = new CopyOnWriteArrayList<>();
      return new Sweep(scheduler, new SweepWorkers(scheduler, trainer, records, settings, lines::add, false),
          records, lines);
    }

    List<TrialState> states() {
      return scheduler.trials().stream().map(TrialStatus::state).toList();
    }

    /** Every trial ended, and its run with it, as the scheduler says; the journal is the scheduler's history. */
    void assertEndedConsistently() {
      assertThat(scheduler.isFinished()).isTrue();
      assertThat(records.journalEvents()).isEqualTo(scheduler.events());
      for (TrialStatus t : scheduler.trials()) {
        RecordedTrials.Run run = records.run(t.id());
        assertThat(run.tags()).as("trial %d", t.id()).containsEntry(SweepRunner.STATE_TAG, t.state().name());
        assertThat(run.status()).as("trial %d", t.id())
            .isEqualTo(t.state() == TrialState.FAILED ? RecordedTrials.Status.FAILED : RecordedTrials.Status.FINISHED);
        assertThat(run.reopened()).as("a run this driver opened is never reopened").isZero();
      }
    }
  }

  @Test
  void pastTheTimeBudgetNoTrialStartsOrIsPromotedAndTheRungInFlightIsStillReported() {
    ManualClock clock = new ManualClock(T0);
    // Each rung takes a simulated minute; the ten-minute budget holds ten of them, trials unlimited.
    ScoringTrainer trainer = new ScoringTrainer(clock).taking(Duration.ofMinutes(1));
    Sweep sweep = Sweep.of(settings(AshaConfig.Promotion.PAPER, AshaConfig.UNLIMITED, Duration.ofMinutes(10), 1),
        trainer, clock);

    sweep.workers().runAll();

    Instant deadline = T0.plus(Duration.ofMinutes(10));
    assertThat(sweep.scheduler().config().deadline()).as("the budget runs on the injected clock").isEqualTo(deadline);
    assertThat(trainer.fits()).hasSize(10).allSatisfy(f -> assertThat(f.began()).isBefore(deadline));
    assertThat(clock.instant()).isEqualTo(deadline);
    assertThat(sweep.scheduler().results()).as("the rung that crossed the deadline is reported").hasSize(10);
    assertThat(sweep.states()).doesNotContain(TrialState.RUNNING, TrialState.WAITING, TrialState.PAUSED);
    assertThat(sweep.lines()).anyMatch(l -> l.contains("waited there)"));
    sweep.assertEndedConsistently();
  }

  @ParameterizedTest(name = "{0} workers")
  @ValueSource(ints = {1, 2, 3})
  void asManyFitsRunAtOnceAsThereAreWorkersAndNeverMore(int workers) {
    // The first trials' first rungs each wait until all workers are in a fit: that happens only if they overlap.
    CyclicBarrier allWorkersFitting = new CyclicBarrier(workers);
    ScoringTrainer trainer = new ScoringTrainer(InstantSource.system()).sleeping(Duration.ofMillis(5))
        .beforeFit(job -> {
          if (job.trialId() < workers && job.rung() == 0) {
            try {
              allWorkersFitting.await(PATIENCE_SECONDS, TimeUnit.SECONDS);
            } catch (Exception e) {
              throw new AssertionError("trial " + job.trialId() + " never fitted alongside the others", e);
            }
          }
        });
    Sweep sweep = Sweep.of(settings(AshaConfig.Promotion.PAPER, 12, null, workers), trainer, InstantSource.system());

    sweep.workers().runAll();

    assertThat(trainer.mostInFlight()).isEqualTo(workers);
    assertThat(trainer.fits().stream().map(ScoringTrainer.Fit::worker).distinct()).hasSize(workers);
    assertThat(sweep.states()).hasSize(12).contains(TrialState.COMPLETED);
    sweep.assertEndedConsistently();
    // Whatever the interleaving, the journal replays as the scheduler that wrote it.
    AshaScheduler replayed = AshaScheduler.restore(sweep.scheduler().config(), ONE_FAMILY,
        new RandomSampler(ONE_FAMILY, 7), List.of(), InstantSource.system(), sweep.records().journalEvents());
    assertThat(replayed.events()).isEqualTo(sweep.scheduler().events());
  }

  @Test
  void aTrialWhoseTrainingFailsIsFailedAndTheSweepGoesOn() {
    ScoringTrainer trainer = new ScoringTrainer(InstantSource.system()).failingFor(1);
    Sweep sweep = Sweep.of(settings(AshaConfig.Promotion.PAPER, 9, null, 2), trainer, InstantSource.system());

    sweep.workers().runAll();

    assertThat(sweep.states().get(1)).isEqualTo(TrialState.FAILED);
    assertThat(sweep.states()).hasSize(9).containsOnlyOnce(TrialState.FAILED).contains(TrialState.COMPLETED);
    assertThat(sweep.records().run(1).tags()).containsEntry("health_predict.error",
        "java.lang.IllegalStateException: executor lost while fitting trial 1");
    assertThat(sweep.records().journalEvents()).contains(
        new TrialEvent.Failed(1, "java.lang.IllegalStateException: executor lost while fitting trial 1"));
    assertThat(sweep.lines()).contains(
        "trial 1 FAILED at rung 0: java.lang.IllegalStateException: executor lost while fitting trial 1");
    assertThat(trainer.forgotten()).contains(1);
    sweep.assertEndedConsistently();
  }

  @Test
  void aWorkerThatDiesWakesTheIdleOneAndItsExceptionEndsTheSweep() {
    // Trial 0 reports at once and its worker finds nothing to do (both trials started, none promotable);
    // trial 1's worker dies logging its rung, as on a tracking server that stayed away.
    CountDownLatch bothFitting = new CountDownLatch(2);
    AtomicReference<Thread> idle = new AtomicReference<>();
    ScoringTrainer trainer = new ScoringTrainer(InstantSource.system()).beforeFit(job -> {
      bothFitting.countDown();
      await(bothFitting);
      if (job.trialId() == 0) {
        idle.set(Thread.currentThread());
      } else {
        awaitWaiting(idle);
      }
    });
    RuntimeException trackingGone = new IllegalStateException("tracking server gone");
    RecordedTrials records = new RecordedTrials().failLoggingFor(trackingGone, () -> {}, 1);
    Sweep sweep = Sweep.of(settings(AshaConfig.Promotion.PAPER, 2, null, 2), trainer, records,
        InstantSource.system());

    long start = System.nanoTime();
    Throwable thrown = catchThrowable(() -> sweep.workers().runAll());

    assertThat(thrown).isSameAs(trackingGone);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("the idle worker stopped waiting")
        .isLessThan(Duration.ofSeconds(PATIENCE_SECONDS));
    assertThat(trainer.fits()).as("no job taken after the death").hasSize(2);
    assertThat(sweep.states()).containsExactly(TrialState.WAITING, TrialState.RUNNING);
    // As after a driver's death: the waiting trial's run stays open and the dead rung's run is failed,
    // both for a resumed sweep to reopen; the journal has everything decided.
    assertThat(records.run(0).status()).isEqualTo(RecordedTrials.Status.RUNNING);
    assertThat(records.run(1).status()).isEqualTo(RecordedTrials.Status.FAILED);
    assertThat(records.journalEvents()).isEqualTo(sweep.scheduler().events());
  }

  @Test
  void aBusyWorkerStopsAfterItsRungWhenAnotherDied() {
    // Immediate promotion would keep trial 0 on its worker for its next rung; the death stops it first.
    CountDownLatch bothFitting = new CountDownLatch(2);
    CountDownLatch dying = new CountDownLatch(1);
    AtomicReference<Thread> dead = new AtomicReference<>();
    ScoringTrainer trainer = new ScoringTrainer(InstantSource.system()).beforeFit(job -> {
      if (job.rung() > 0) {
        return;
      }
      bothFitting.countDown();
      await(bothFitting);
      if (job.trialId() == 1) {
        dead.set(Thread.currentThread());
      } else {
        await(dying);
        awaitWaiting(dead);  // the dead worker's thread is back in its pool, idle: the abort is done
      }
    });
    RuntimeException trackingGone = new IllegalStateException("tracking server gone");
    RecordedTrials records = new RecordedTrials().failLoggingFor(trackingGone, dying::countDown, 1);
    Sweep sweep = Sweep.of(settings(AshaConfig.Promotion.IMMEDIATE, 2, null, 2), trainer, records,
        InstantSource.system());

    assertThatThrownBy(() -> sweep.workers().runAll()).isSameAs(trackingGone);

    assertThat(trainer.fits()).hasSize(2).allSatisfy(f -> assertThat(f.job().rung()).isZero());
    assertThat(sweep.scheduler().results()).singleElement()
        .satisfies(r -> assertThat(r.decision()).isInstanceOf(Decision.Continue.class));
    assertThat(records.run(0).status()).as("left for a resumed sweep to reopen").isEqualTo(RecordedTrials.Status.FAILED);
    assertThat(records.journalEvents()).isEqualTo(sweep.scheduler().events());
  }

  @Test
  void anIdleWorkerWaitsForTheResultThatMakesATrialPromotableAndTakesIt() {
    // Trial 0 waits at rung 0 and its worker has nothing to do. Trial 1's result is degenerate, which
    // leaves trial 0 the only trial that can still reach R: it becomes promotable. Trial 1's worker is
    // held while it lets go of its trial, so only the idle worker can take the promotion.
    CountDownLatch bothFitting = new CountDownLatch(2);
    CountDownLatch promotedFitting = new CountDownLatch(1);
    AtomicReference<Thread> idle = new AtomicReference<>();
    ScoringTrainer trainer = new ScoringTrainer(InstantSource.system()).degenerateFor(1).beforeFit(job -> {
      if (job.rung() > 0) {
        promotedFitting.countDown();
        return;
      }
      bothFitting.countDown();
      await(bothFitting);
      if (job.trialId() == 0) {
        idle.set(Thread.currentThread());
      } else {
        awaitWaiting(idle);
      }
    }).onForget(id -> {
      if (id == 1) {
        await(promotedFitting);
      }
    });
    Sweep sweep = Sweep.of(settings(AshaConfig.Promotion.PAPER, 2, null, 2), trainer, InstantSource.system());

    sweep.workers().runAll();

    List<ScoringTrainer.Fit> trial0 = trainer.fits().stream().filter(f -> f.job().trialId() == 0).toList();
    assertThat(trial0).extracting(f -> f.job().rung()).containsExactly(0, 1, 2);
    assertThat(trial0.get(1).worker()).as("the worker that waited took the promotion").isSameAs(idle.get());
    assertThat(sweep.lines()).contains("trial 0 promoted from rung 0 to rung 1 (resource 3.0)");
    assertThat(sweep.states()).containsExactly(TrialState.COMPLETED, TrialState.DEGENERATE);
    sweep.assertEndedConsistently();
  }

  @Test
  void theTimeBudgetStartsWhenTheSweepDoes() {
    SweepSettings budget = settings(AshaConfig.Promotion.PAPER, AshaConfig.UNLIMITED, Duration.ofSeconds(90), 1);
    assertThat(budget.ashaConfig(T0).deadline()).isEqualTo(T0.plusSeconds(90));
    assertThat(settings(AshaConfig.Promotion.PAPER, 5, null, 1).ashaConfig(T0).deadline()).isNull();
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(PATIENCE_SECONDS, TimeUnit.SECONDS)) {
        throw new AssertionError("waited " + PATIENCE_SECONDS + " s in vain");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Until the thread parks with nothing to do (an idle worker, or a pool thread without a task). */
  private static void awaitWaiting(AtomicReference<Thread> thread) {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(PATIENCE_SECONDS);
    while (thread.get() == null || thread.get().getState() != Thread.State.WAITING) {
      if (System.nanoTime() > until) {
        throw new AssertionError("thread " + thread.get() + " never waited");
      }
      Thread.onSpinWait();
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}

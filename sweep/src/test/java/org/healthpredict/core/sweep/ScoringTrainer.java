package org.healthpredict.core.sweep;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import org.healthpredict.core.evaluation.BinaryMetrics;
import org.healthpredict.core.evaluation.ScoredPairs;
import org.healthpredict.core.tuning.Job;
import org.healthpredict.core.tuning.RungScore;

/**
 * A trainer without Spark for the worker tests. A job scores {@code x · r / (r + 1)} for its
 * configuration's {@code x} and its resource r, a learning curve that rises with the resource, so every
 * run of a test takes the same decisions. A fit can take real time, take simulated time (it advances a
 * {@link ManualClock}), fail or come out degenerate for chosen trials, and run a hook first, where a
 * test holds it. It records every fit and counts the fits in flight.
 */
final class ScoringTrainer implements RungTrainer {

  /** One call of {@link #fit}: the job, the worker thread, and the clock's time when it began. */
  record Fit(Job job, int folds, Thread worker, Instant began) {}

  private final InstantSource clock;
  private Duration sleep = Duration.ZERO;
  private Duration simulated = Duration.ZERO;
  private Set<Integer> failing = Set.of();
  private Set<Integer> degenerate = Set.of();
  private Consumer<Job> beforeFit = job -> {};
  private IntConsumer onForget = id -> {};
  private final List<Fit> fits = new CopyOnWriteArrayList<>();
  private final List<Integer> forgotten = new CopyOnWriteArrayList<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger mostInFlight = new AtomicInteger();

  ScoringTrainer(InstantSource clock) {
    this.clock = clock;
  }

  /** Each fit sleeps this long. */
  ScoringTrainer sleeping(Duration sleep) {
    this.sleep = sleep;
    return this;
  }

  /** Each fit moves the manual clock on by this much, and reports it as its wall time. */
  ScoringTrainer taking(Duration simulated) {
    this.simulated = simulated;
    return this;
  }

  /** These trials' fits throw, as a lost executor would. */
  ScoringTrainer failingFor(Integer... trialIds) {
    this.failing = Set.of(trialIds);
    return this;
  }

  /** These trials' scores are degenerate (near-constant predictions). */
  ScoringTrainer degenerateFor(Integer... trialIds) {
    this.degenerate = Set.of(trialIds);
    return this;
  }

  /** Runs first in every fit, on the worker's thread. */
  ScoringTrainer beforeFit(Consumer<Job> hook) {
    this.beforeFit = hook;
    return this;
  }

  /** Runs in every {@link #forget}, on the caller's thread. */
  ScoringTrainer onForget(IntConsumer hook) {
    this.onForget = hook;
    return this;
  }

  static double score(Job job) {
    double x = ((Number) job.config().params().get("x")).doubleValue();
    return x * job.resource() / (job.resource() + 1);
  }

  @Override
  public FittedRung fit(Job job, int folds, boolean lastRung, SweepMetric metric) {
    mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
    try {
      fits.add(new Fit(job, folds, Thread.currentThread(), clock.instant()));
      beforeFit.accept(job);
      if (!sleep.isZero()) {
        Thread.sleep(sleep.toMillis());
      }
      if (!simulated.isZero()) {
        ((ManualClock) clock).advance(simulated);
      }
      if (failing.contains(job.trialId())) {
        throw new IllegalStateException("executor lost while fitting trial " + job.trialId());
      }
      return fitted(job, folds);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } finally {
      inFlight.decrementAndGet();
    }
  }

  /** Folds spread evenly around the job's score, so the mean is the score and the standard error known. */
  private FittedRung fitted(Job job, int folds) {
    double score = score(job);
    List<BinaryMetrics> perFold = new ArrayList<>();
    double[] values = new double[folds];
    for (int f = 0; f < folds; f++) {
      values[f] = score + 0.01 * (f - (folds - 1) / 2.0);
      double v = values[f];
      perFold.add(new BinaryMetrics(100, 10, v, v / 2, 1 - v, (1 - v) / 4, v / 3, v / 3, v / 3, 0.5));
    }
    RungScore rungScore = RungScore.ofFolds(values, degenerate.contains(job.trialId()), 10 * job.resource());
    ScoredPairs outOfFold = new ScoredPairs(new double[] {score, 1 - score}, new double[] {1, 0});
    return new FittedRung(rungScore, perFold, outOfFold, simulated.toMillis() / 1000.0, 0);
  }

  @Override
  public void forget(int trialId) {
    forgotten.add(trialId);
    onForget.accept(trialId);
  }

  List<Fit> fits() {
    return List.copyOf(fits);
  }

  List<Integer> forgotten() {
    return List.copyOf(forgotten);
  }

  /** The most fits that ran at the same time. */
  int mostInFlight() {
    return mostInFlight.get();
  }
}

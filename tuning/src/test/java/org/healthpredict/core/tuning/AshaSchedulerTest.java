package org.healthpredict.core.tuning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import static org.healthpredict.core.tuning.AshaConfig.Promotion.IMMEDIATE;

import org.healthpredict.core.tuning.Decision.Continue;
import org.healthpredict.core.tuning.Decision.Reason;
import org.junit.jupiter.api.Test;

class AshaSchedulerTest {

  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

  /** A clock the test moves by hand. */
  static final class FakeClock implements InstantSource {
    private Instant now = T0;

    @Override
    public synchronized Instant instant() {
      return now;
    }

    synchronized void advance(Duration d) {
      now = now.plus(d);
    }
  }

  /** One family "f" whose resource climbs from min to max iterations. */
  static SearchSpace oneFamily(int min, int max) {
    return SearchSpace.parse("""
        families:
          f:
            resource: {kind: iterations, param: maxIter, min: %d, max: %d}
            params:
              x: {uniform: [0, 1]}
        """.formatted(min, max), "test.yaml");
  }

  private static AshaScheduler scheduler(AshaConfig config, int min, int max) {
    return new AshaScheduler(config, oneFamily(min, max), 7, new FakeClock());
  }

  private static List<Job> start(AshaScheduler scheduler, int n) {
    List<Job> jobs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      jobs.add(scheduler.nextJob().orElseThrow());
    }
    return jobs;
  }

  private static double lastCutoff(AshaScheduler scheduler) {
    List<TrialEvent.Result> results = scheduler.results();
    return results.get(results.size() - 1).cutoff();
  }

  @Test
  void rungMilestonesAreRTimesPowersOfEtaUpToR() {
    ResourceSpec iterations = new ResourceSpec(ResourceSpec.Kind.ITERATIONS, "maxIter", 1, 27);
    assertThat(iterations.milestones(3)).containsExactly(1.0, 3.0, 9.0, 27.0);
    ResourceSpec gbt = new ResourceSpec(ResourceSpec.Kind.ITERATIONS, "maxIter", 5, 135);
    assertThat(gbt.milestones(3)).containsExactly(5.0, 15.0, 45.0, 135.0);
  }

  @Test
  void rIsAppendedAsTheLastRungWhenTheLadderMissesIt() {
    assertThat(new ResourceSpec(ResourceSpec.Kind.TREES, "numTrees", 1, 30).milestones(3))
        .containsExactly(1.0, 3.0, 9.0, 27.0, 30.0);
    assertThat(new ResourceSpec(ResourceSpec.Kind.ROWS, null, 0.1, 1.0).milestones(3))
        .containsExactly(0.1, 0.3, 0.9, 1.0);
    assertThat(new ResourceSpec(ResourceSpec.Kind.ITERATIONS, "maxIter", 10, 10).milestones(3)).containsExactly(10.0);
  }

  @Test
  void resourceSpecBuiltInCodeIsCheckedToo() {
    assertThatThrownBy(() -> new ResourceSpec(ResourceSpec.Kind.ROWS, null, 0, 1)).hasMessageContaining("0 < min");
    assertThatThrownBy(() -> new ResourceSpec(ResourceSpec.Kind.TREES, "numTrees", 9, 3)).hasMessageContaining("<= max");
  }

  @Test
  void firstResultAtARungIsAlwaysPromoted() {
    AshaScheduler asha = scheduler(AshaConfig.maximize(10).withPromotion(IMMEDIATE), 1, 27);
    Job job = asha.nextJob().orElseThrow();
    assertThat(job.rung()).isZero();
    assertThat(job.resource()).isEqualTo(1.0);
    assertThat(job.classifierParams()).containsEntry("maxIter", 1).containsKey("x");

    // Even a terrible metric: it is the top 1/η of the one result recorded.
    assertThat(asha.onResult(job.trialId(), 0, 0.01)).isEqualTo(new Continue(1, 3.0));
    assertThat(lastCutoff(asha)).isEqualTo(0.01);
  }

  @Test
  void cutoffIsTheTwoThirdsQuantileOfTheResultsSoFarIncludingTheNewOne() {
    AshaScheduler asha = scheduler(AshaConfig.maximize(10).withPromotion(IMMEDIATE), 1, 27);
    start(asha, 6);
    // Type-7 quantile at p = 2/3 over the sorted rung, h = (n - 1) * 2/3.
    // [.50]                      h = 0     cutoff .50               -> promoted
    assertThat(asha.onResult(0, 0, 0.50)).isEqualTo(new Continue(1, 3.0));
    assertThat(lastCutoff(asha)).isCloseTo(0.50, within(1e-12));
    // [.40 .50]                  h = 2/3   .40 + 2/3 * .10 = .4667  -> stopped
    assertThat(asha.onResult(1, 0, 0.40)).isEqualTo(new Decision.Stop(Reason.BELOW_CUTOFF));
    assertThat(lastCutoff(asha)).isCloseTo(0.46667, within(1e-5));
    // [.40 .50 .60]              h = 4/3   .50 + 1/3 * .10 = .5333  -> promoted
    assertThat(asha.onResult(2, 0, 0.60)).isEqualTo(new Continue(1, 3.0));
    assertThat(lastCutoff(asha)).isCloseTo(0.53333, within(1e-5));
    // [.40 .50 .55 .60]          h = 2     .55, a tie               -> promoted
    assertThat(asha.onResult(3, 0, 0.55)).isEqualTo(new Continue(1, 3.0));
    assertThat(lastCutoff(asha)).isEqualTo(0.55);
    // [.40 .50 .52 .55 .60]      h = 8/3   .52 + 2/3 * .03 = .54    -> stopped
    assertThat(asha.onResult(4, 0, 0.52)).isEqualTo(new Decision.Stop(Reason.BELOW_CUTOFF));
    assertThat(lastCutoff(asha)).isCloseTo(0.54, within(1e-12));
    // [.40 .50 .52 .55 .60 .70]  h = 10/3  .55 + 1/3 * .05 = .5667  -> promoted
    assertThat(asha.onResult(5, 0, 0.70)).isEqualTo(new Continue(1, 3.0));
    assertThat(lastCutoff(asha)).isCloseTo(0.56667, within(1e-5));

    assertThat(asha.trials()).extracting(TrialStatus::state).containsExactly(TrialState.RUNNING,
        TrialState.STOPPED, TrialState.RUNNING, TrialState.RUNNING, TrialState.STOPPED, TrialState.RUNNING);
  }

  @Test
  void cutoffWithEtaTwoIsTheMedian() {
    assertThat(Bracket.cutoff(List.of(4.0, 1.0, 3.0, 2.0), 2)).isEqualTo(2.5);
    assertThat(Bracket.cutoff(List.of(3.0, 1.0, 2.0), 2)).isEqualTo(2.0);
    assertThat(Bracket.cutoff(List.of(7.0), 4)).isEqualTo(7.0);
  }

  @Test
  void modeMinPromotesSmallMetricsAgainstTheOneThirdQuantile() {
    AshaScheduler asha = scheduler(AshaConfig.minimize(10).withPromotion(IMMEDIATE), 1, 27);
    start(asha, 4);
    // Cutoffs in loss units are the 1/3 quantile of the losses so far; promoted when loss <= cutoff.
    assertThat(asha.onResult(0, 0, 0.50)).isEqualTo(new Continue(1, 3.0));
    assertThat(lastCutoff(asha)).isCloseTo(0.50, within(1e-12));
    // [.40 .50]          h = 1/3  .40 + 1/3 * .10 = .4333
    assertThat(asha.onResult(1, 0, 0.40)).isEqualTo(new Continue(1, 3.0));
    assertThat(lastCutoff(asha)).isCloseTo(0.43333, within(1e-5));
    // [.40 .50 .60]      h = 2/3  .40 + 2/3 * .10 = .4667
    assertThat(asha.onResult(2, 0, 0.60)).isEqualTo(new Decision.Stop(Reason.BELOW_CUTOFF));
    assertThat(lastCutoff(asha)).isCloseTo(0.46667, within(1e-5));
    // [.40 .45 .50 .60]  h = 1    .45, a tie
    assertThat(asha.onResult(3, 0, 0.45)).isEqualTo(new Continue(1, 3.0));
    assertThat(lastCutoff(asha)).isCloseTo(0.45, within(1e-12));
  }

  @Test
  void promotedTrialClimbsEveryRungToCompleteAtR() {
    AshaScheduler asha = scheduler(AshaConfig.maximize(1).withPromotion(IMMEDIATE), 1, 27);
    Job job = asha.nextJob().orElseThrow();
    List<Double> resources = new ArrayList<>(List.of(job.resource()));
    Decision d = asha.onResult(job.trialId(), job.rung(), 0.5);
    while (d instanceof Continue next) {
      job = job.continueAt(next);
      resources.add(job.resource());
      d = asha.onResult(job.trialId(), job.rung(), 0.5 + job.rung() / 10.0);
    }
    assertThat(resources).containsExactly(1.0, 3.0, 9.0, 27.0);
    assertThat(d).isEqualTo(new Decision.Complete());
    assertThat(asha.trials().get(0)).isEqualTo(
        new TrialStatus(0, job.config(), 0, TrialState.COMPLETED, 3, 27.0));
    assertThat(asha.best().orElseThrow().metric()).isEqualTo(0.8);
    assertThat(asha.isFinished()).isTrue();
  }

  @Test
  void aResultCompetesOnlyWithResultsAtTheSameRung() {
    AshaScheduler asha = scheduler(AshaConfig.maximize(10).withPromotion(IMMEDIATE), 1, 27);
    start(asha, 2);
    assertThat(asha.onResult(0, 0, 0.5)).isEqualTo(new Continue(1, 3.0));
    // [.5 .6] h = 2/3: .5 + 2/3 * .1 = .5667 <= .6
    assertThat(asha.onResult(1, 0, 0.6)).isEqualTo(new Continue(1, 3.0));
    // First at rung 1: promoted, whatever rung 0 looked like.
    assertThat(asha.onResult(0, 1, 0.7)).isEqualTo(new Continue(2, 9.0));
    // [.65 .70] h = 2/3: .65 + 2/3 * .05 = .6833 > .65
    assertThat(asha.onResult(1, 1, 0.65)).isEqualTo(new Decision.Stop(Reason.BELOW_CUTOFF));
    assertThat(asha.trials()).extracting(TrialStatus::state, TrialStatus::rung)
        .containsExactly(tuple(TrialState.RUNNING, 2),
            tuple(TrialState.STOPPED, 1));
  }

  @Test
  void stoppedTrialsNeverReachRAndCompletedOnesDo() {
    SearchSpace space = SearchSpace.defaultSpace();
    AshaScheduler asha = new AshaScheduler(AshaConfig.maximize(60).withPromotion(IMMEDIATE), space, 11, new FakeClock());
    new SimulatedDriver(asha, 4, SimulatedDriver::learningCurve).runToEnd();

    assertThat(asha.isFinished()).isTrue();
    List<TrialStatus> trials = asha.trials();
    assertThat(trials).hasSize(60).allMatch(t -> t.state().terminal());
    assertThat(trials).filteredOn(t -> t.state() == TrialState.STOPPED).isNotEmpty().allSatisfy(t ->
        assertThat(t.resource()).isLessThan(space.family(t.config().family()).resource().max()));
    assertThat(trials).filteredOn(t -> t.state() == TrialState.COMPLETED).isNotEmpty().allSatisfy(t ->
        assertThat(t.resource()).isEqualTo(space.family(t.config().family()).resource().max()));
    // Roughly 1/η of each rung goes on: far fewer results at the top rung than at the bottom.
    long bottom = asha.results().stream().filter(r -> r.rung() == 0).count();
    long top = asha.results().stream().filter(r -> r.rung() == 3).count();
    assertThat(bottom).isEqualTo(60);
    assertThat(top).isBetween(1L, 20L);
  }

  @Test
  void noTrialStartsOnceMaxTrialsHaveStarted() {
    AshaScheduler asha = scheduler(AshaConfig.maximize(2).withPromotion(IMMEDIATE), 1, 3);
    start(asha, 2);
    assertThat(asha.nextJob()).isEmpty();
    assertThat(asha.budgetExhausted()).isTrue();
    assertThat(asha.isFinished()).isFalse();

    assertThat(asha.onResult(0, 0, 0.5)).isEqualTo(new Continue(1, 3.0));
    assertThat(asha.onResult(1, 0, 0.4)).isEqualTo(new Decision.Stop(Reason.BELOW_CUTOFF));
    assertThat(asha.isFinished()).isFalse();
    assertThat(asha.onResult(0, 1, 0.6)).isEqualTo(new Decision.Complete());
    assertThat(asha.isFinished()).isTrue();
  }

  @Test
  void deadlineStopsNewTrialsAndPromotions() {
    FakeClock clock = new FakeClock();
    AshaConfig config = AshaConfig.maximize(AshaConfig.UNLIMITED).withPromotion(IMMEDIATE).withDeadline(T0.plusSeconds(60));
    AshaScheduler asha = new AshaScheduler(config, oneFamily(1, 27), 7, clock);

    asha.nextJob().orElseThrow();
    clock.advance(Duration.ofSeconds(30));
    asha.nextJob().orElseThrow();
    assertThat(asha.onResult(0, 0, 0.5)).isEqualTo(new Continue(1, 3.0));
    assertThat(asha.budgetExhausted()).isFalse();

    clock.advance(Duration.ofSeconds(30));
    assertThat(asha.budgetExhausted()).isTrue();
    assertThat(asha.nextJob()).isEmpty();
    // Would be promoted (above the cutoff), but the deadline has passed.
    assertThat(asha.onResult(1, 0, 0.9)).isEqualTo(new Decision.Stop(Reason.DEADLINE));
    assertThat(asha.isFinished()).isFalse();
    assertThat(asha.onResult(0, 1, 0.5)).isEqualTo(new Decision.Stop(Reason.DEADLINE));
    assertThat(asha.isFinished()).isTrue();
    assertThat(asha.trials()).extracting(TrialStatus::state).containsOnly(TrialState.STOPPED);
  }

  @Test
  void deadlineDoesNotPreventCompletionAtTheTopRung() {
    FakeClock clock = new FakeClock();
    AshaScheduler asha = new AshaScheduler(AshaConfig.maximize(5).withPromotion(IMMEDIATE).withDeadline(T0.plusSeconds(1)),
        oneFamily(3, 3), 7, clock);
    Job job = asha.nextJob().orElseThrow();
    clock.advance(Duration.ofSeconds(5));
    assertThat(asha.onResult(job.trialId(), 0, 0.1)).isEqualTo(new Decision.Complete());
  }

  @Test
  void aSweepNeedsMaxTrialsOrADeadline() {
    assertThatThrownBy(() -> scheduler(AshaConfig.maximize(AshaConfig.UNLIMITED), 1, 27))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a budget");
    assertThatThrownBy(() -> AshaConfig.maximize(10).withEta(1)).hasMessageContaining("eta must be > 1");
  }

  @Test
  void failedTrialFreesItsSlotAndIsNeverPromoted() {
    AshaScheduler asha = scheduler(AshaConfig.maximize(2).withPromotion(IMMEDIATE), 1, 27);
    start(asha, 2);
    assertThat(asha.onResult(0, 0, 0.9)).isEqualTo(new Continue(1, 3.0));
    asha.onFailure(0, "executor lost");

    assertThat(asha.trials().get(0).state()).isEqualTo(TrialState.FAILED);
    assertThatThrownBy(() -> asha.onResult(0, 1, 0.99)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("trial 0 is FAILED");
    // Its rung-0 result stays recorded: [.5 .9] h = 2/3 gives .5 + 2/3 * .4 = .7667 > .5.
    assertThat(asha.onResult(1, 0, 0.5)).isEqualTo(new Decision.Stop(Reason.BELOW_CUTOFF));
    // The failed trial holds no worker, so the sweep is over; it counted against maxTrials.
    assertThat(asha.isFinished()).isTrue();
    assertThat(asha.nextJob()).isEmpty();
    assertThat(asha.events().get(3)).isEqualTo(new TrialEvent.Failed(0, "executor lost"));
  }

  @Test
  void bracketsStartHigherAndKeepTheirOwnRungs() {
    AshaScheduler asha = scheduler(AshaConfig.maximize(10).withPromotion(IMMEDIATE).withBrackets(2), 1, 27);
    List<Job> jobs = start(asha, 3);
    assertThat(jobs).extracting(Job::rung, Job::resource).containsExactly(
        tuple(0, 1.0), tuple(1, 3.0),
        tuple(0, 1.0));
    assertThat(asha.trials()).extracting(TrialStatus::bracket).containsExactly(0, 1, 0);

    assertThat(asha.onResult(0, 0, 0.5)).isEqualTo(new Continue(1, 3.0));
    // Trial 2 shares bracket 0 with trial 0: [.4 .5] cutoff .4667.
    assertThat(asha.onResult(2, 0, 0.4)).isEqualTo(new Decision.Stop(Reason.BELOW_CUTOFF));
    assertThat(asha.onResult(0, 1, 0.9)).isEqualTo(new Continue(2, 9.0));
    // Bracket 1's rung 1 is empty so far, so .1 is its first result there and is promoted.
    assertThat(asha.onResult(1, 1, 0.1)).isEqualTo(new Continue(2, 9.0));
  }

  @Test
  void sameCallsGiveTheSameJobsAndDecisions() {
    SearchSpace space = SearchSpace.defaultSpace();
    AshaScheduler a = new AshaScheduler(AshaConfig.maximize(40).withPromotion(IMMEDIATE), space, 3, new FakeClock());
    AshaScheduler b = new AshaScheduler(AshaConfig.maximize(40).withPromotion(IMMEDIATE), space, 3, new FakeClock());
    new SimulatedDriver(a, 3, SimulatedDriver::learningCurve).runToEnd();
    new SimulatedDriver(b, 3, SimulatedDriver::learningCurve).runToEnd();

    assertThat(b.events()).isEqualTo(a.events());
    assertThat(b.trials()).isEqualTo(a.trials());
    AshaScheduler c = new AshaScheduler(AshaConfig.maximize(40).withPromotion(IMMEDIATE), space, 4, new FakeClock());
    new SimulatedDriver(c, 3, SimulatedDriver::learningCurve).runToEnd();
    assertThat(c.events()).isNotEqualTo(a.events());
  }

  @Test
  void concurrentWorkersLeaveEveryTrialTerminal() throws Exception {
    AshaScheduler asha = new AshaScheduler(AshaConfig.maximize(200).withPromotion(IMMEDIATE), SearchSpace.defaultSpace(), 5, new FakeClock());
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> workers = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        workers.add(pool.submit(() -> {
          for (Optional<Job> next = asha.nextJob(); next.isPresent(); next = asha.nextJob()) {
            Job job = next.get();
            Decision d = asha.onResult(job.trialId(), job.rung(), SimulatedDriver.learningCurve(job));
            while (d instanceof Continue c) {
              job = job.continueAt(c);
              d = asha.onResult(job.trialId(), job.rung(), SimulatedDriver.learningCurve(job));
            }
          }
        }));
      }
      for (Future<?> f : workers) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(asha.isFinished()).isTrue();
    assertThat(asha.trials()).hasSize(200).extracting(TrialStatus::id).doesNotHaveDuplicates();
    assertThat(asha.trials()).allMatch(t -> t.state().terminal());
    assertThat(asha.events().stream().filter(TrialEvent.Started.class::isInstance)).hasSize(200);
  }

  @Test
  void rejectsReportsThatDoNotMatchAJob() {
    AshaScheduler asha = scheduler(AshaConfig.maximize(10).withPromotion(IMMEDIATE), 1, 27);
    asha.nextJob().orElseThrow();
    assertThatThrownBy(() -> asha.onResult(0, 1, 0.5)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("runs at rung 0, but reported rung 1");
    assertThatThrownBy(() -> asha.onResult(3, 0, 0.5)).hasMessageContaining("no trial 3");
    assertThatThrownBy(() -> asha.onResult(0, 0, Double.NaN)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("report a failure instead");
    assertThat(asha.results()).isEmpty();
  }
}

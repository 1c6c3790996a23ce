package org.healthpredict.core.tuning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;
import static org.healthpredict.core.tuning.AshaConfig.Promotion.IMMEDIATE;
import static org.healthpredict.core.tuning.AshaConfig.Promotion.PAPER;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.healthpredict.core.tuning.AshaSchedulerTest.FakeClock;
import org.healthpredict.core.tuning.Decision.Continue;
import org.healthpredict.core.tuning.Decision.Reason;
import org.healthpredict.core.tuning.Decision.Stop;
import org.junit.jupiter.api.Test;

/**
 * The paper's promotion rule (Li et al., MLSys 2020, Algorithm 2): results wait at their rung, and
 * get_job promotes a waiting trial once it is in the top ⌊n/η⌋ of its rung, from the top rung down.
 */
class AshaPaperPromotionTest {

  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
  private static final Decision WAIT = new Decision.Wait();

  /** η = 3 over one family climbing 1, 3, 9 iterations: three rungs. */
  private static AshaScheduler threeRungs(int maxTrials) {
    return new AshaScheduler(AshaConfig.maximize(maxTrials), AshaSchedulerTest.oneFamily(1, 9), 7, new FakeClock());
  }

  private static Job next(AshaScheduler asha) {
    return asha.nextJob().orElseThrow();
  }

  private static double lastCutoff(AshaScheduler asha) {
    List<TrialEvent.Result> results = asha.results();
    return results.get(results.size() - 1).cutoff();
  }

  private static List<TrialEvent.Decided> decided(AshaScheduler asha) {
    return asha.events().stream().filter(TrialEvent.Decided.class::isInstance).map(TrialEvent.Decided.class::cast)
        .toList();
  }

  private static Map<Integer, Long> resultsPerRung(AshaScheduler asha) {
    return asha.results().stream().collect(Collectors.groupingBy(TrialEvent.Result::rung, TreeMap::new,
        Collectors.counting()));
  }

  @Test
  void aResultBelowTheTopRungWaitsAndFreesItsWorker() {
    AshaScheduler asha = threeRungs(9);
    Job first = next(asha);

    // Immediate promotion would send a lone first result on at once; the paper's rule waits.
    assertThat(asha.onResult(first.trialId(), 0, 0.99)).isEqualTo(WAIT);
    assertThat(lastCutoff(asha)).as("no top 1/η yet with one result").isNaN();
    assertThat(asha.trials().get(0).state()).isEqualTo(TrialState.WAITING);
    assertThat(next(asha)).extracting(Job::trialId, Job::rung).containsExactly(1, 0);
    assertThat(asha.isFinished()).isFalse();
  }

  @Test
  void nineTrialsGiveNineThreeAndOneResultsPromotedInThePapersOrder() {
    AshaScheduler asha = threeRungs(9);
    // One worker: each job is reported before the next is asked for. Each step names the job
    // get_job must hand out and the metric that job then reports.
    Object[][] steps = {
        {0, 0, 0.50}, {1, 0, 0.70},
        {2, 0, 0.60},  // rung 0 holds 3: top ⌊3/3⌋ = 1 is trial 1
        {1, 1, 0.72},  // promoted before any new trial starts
        {3, 0, 0.40},  // 4 results: top 1 is still trial 1, already promoted
        {4, 0, 0.80},  // 5 results: top 1 is now trial 4
        {4, 1, 0.75},
        {5, 0, 0.30},  // 6 results: top 2 = trials 4 and 1, both promoted
        {6, 0, 0.65}, {7, 0, 0.20},
        {8, 0, 0.10},  // 9 results: top 3 adds trial 6, waiting since its result
        {6, 1, 0.70},  // rung 1 holds 3: top 1 is trial 4 (.75)
        {4, 2, 0.77},  // the top rung: complete
    };
    for (Object[] step : steps) {
      Job job = next(asha);
      assertThat(job).extracting(Job::trialId, Job::rung).as("job handed out").containsExactly(step[0], step[1]);
      Decision d = asha.onResult(job.trialId(), job.rung(), (double) step[2]);
      assertThat(d).isEqualTo(job.rung() == 2 ? new Decision.Complete() : WAIT);
    }

    assertThat(asha.nextJob()).isEmpty();
    assertThat(asha.isFinished()).isTrue();
    assertThat(resultsPerRung(asha)).containsExactly(Map.entry(0, 9L), Map.entry(1, 3L), Map.entry(2, 1L));
    Stop belowCutoff = new Stop(Reason.BELOW_CUTOFF);
    assertThat(decided(asha)).containsExactly(
        new TrialEvent.Decided(1, 0, new Continue(1, 3.0)),
        new TrialEvent.Decided(4, 0, new Continue(1, 3.0)),
        new TrialEvent.Decided(6, 0, new Continue(1, 3.0)),
        new TrialEvent.Decided(4, 1, new Continue(2, 9.0)),
        // The budget is spent, nothing runs, nothing is promotable: every waiting trial stops, by id.
        new TrialEvent.Decided(0, 0, belowCutoff),
        new TrialEvent.Decided(1, 1, belowCutoff),
        new TrialEvent.Decided(2, 0, belowCutoff),
        new TrialEvent.Decided(3, 0, belowCutoff),
        new TrialEvent.Decided(5, 0, belowCutoff),
        new TrialEvent.Decided(6, 1, belowCutoff),
        new TrialEvent.Decided(7, 0, belowCutoff),
        new TrialEvent.Decided(8, 0, belowCutoff));
    assertThat(asha.trials()).extracting(TrialStatus::state, TrialStatus::rung).containsExactly(
        tuple(TrialState.STOPPED, 0), tuple(TrialState.STOPPED, 1), tuple(TrialState.STOPPED, 0),
        tuple(TrialState.STOPPED, 0), tuple(TrialState.COMPLETED, 2), tuple(TrialState.STOPPED, 0),
        tuple(TrialState.STOPPED, 1), tuple(TrialState.STOPPED, 0), tuple(TrialState.STOPPED, 0));
    assertThat(asha.best().orElseThrow()).extracting(TrialEvent.Result::trialId, TrialEvent.Result::metric)
        .containsExactly(4, 0.77);
  }

  @Test
  void cutoffIsTheLowestMetricInTheTopThirdOfTheRung() {
    AshaScheduler asha = threeRungs(9);
    for (int i = 0; i < 6; i++) {
      next(asha);
    }
    double[] metrics = {0.50, 0.70, 0.60, 0.40, 0.80, 0.65};
    double[] cutoffs = {Double.NaN, Double.NaN, 0.70, 0.70, 0.80, 0.70};
    for (int i = 0; i < metrics.length; i++) {
      asha.onResult(i, 0, metrics[i]);
      assertThat(Double.valueOf(lastCutoff(asha))).as("after result %d", i).isEqualTo(Double.valueOf(cutoffs[i]));
    }
  }

  @Test
  void aWaitingTrialIsPromotedLaterWhenItsRungGrows() {
    AshaScheduler asha = threeRungs(9);
    for (int i = 0; i < 3; i++) {
      next(asha);
    }
    asha.onResult(0, 0, 0.5);
    asha.onResult(1, 0, 0.9);
    asha.onResult(2, 0, 0.6);
    // Top ⌊3/3⌋ = 1: trial 1 goes on; trial 2, second best, waits. Trial 1's rung-1 job stays in flight.
    assertThat(next(asha)).extracting(Job::trialId, Job::rung).containsExactly(1, 1);
    for (int i = 3; i < 6; i++) {
      assertThat(next(asha).trialId()).isEqualTo(i);
    }
    asha.onResult(3, 0, 0.1);
    asha.onResult(4, 0, 0.2);
    assertThat(asha.trials().get(2).state()).isEqualTo(TrialState.WAITING);
    asha.onResult(5, 0, 0.3);

    // Six results: top 2 = trials 1 and 2, so trial 2 is promoted now, ahead of new trials.
    assertThat(next(asha)).extracting(Job::trialId, Job::rung, Job::resource).containsExactly(2, 1, 3.0);
    assertThat(asha.trials().get(2).state()).isEqualTo(TrialState.RUNNING);
  }

  @Test
  void promotionsAreLookedForFromTheTopRungDown() {
    AshaScheduler asha = new AshaScheduler(AshaConfig.maximize(12), AshaSchedulerTest.oneFamily(1, 27), 7,
        new FakeClock());
    for (int i = 0; i < 12; i++) {
      assertThat(next(asha).trialId()).isEqualTo(i);
    }
    // Rung 0 grows three results at a time; each time one more of its top third goes to rung 1.
    double[] rungZero = {0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1};
    double[] rungOne = {0.95, 0.85, 0.75};
    for (int promoted = 0; promoted < 3; promoted++) {
      for (int i = 3 * promoted; i < 3 * promoted + 3; i++) {
        asha.onResult(i, 0, rungZero[i]);
      }
      assertThat(next(asha)).extracting(Job::trialId, Job::rung).containsExactly(promoted, 1);
      asha.onResult(promoted, 1, rungOne[promoted]);
    }
    // Rung 1 now holds 3 results (top: trial 0), and trial 9's .99 puts it in rung 0's top ⌊12/3⌋ = 4.
    asha.onResult(9, 0, 0.99);
    asha.onResult(10, 0, 0.05);
    asha.onResult(11, 0, 0.04);

    assertThat(next(asha)).extracting(Job::trialId, Job::rung).as("the higher rung first").containsExactly(0, 2);
    assertThat(next(asha)).extracting(Job::trialId, Job::rung).containsExactly(9, 1);
    assertThat(asha.nextJob()).isEmpty();
  }

  @Test
  void whenTheTrialBudgetCannotFillTheRungsTheBestAtTheHighestRungFinishes() {
    // Three trials over three rungs: ⌊3/3⌋ = 1 reaches rung 1, ⌊1/3⌋ = 0 would reach R.
    AshaScheduler asha = threeRungs(3);
    for (int i = 0; i < 3; i++) {
      next(asha);
    }
    asha.onResult(0, 0, 0.5);
    asha.onResult(1, 0, 0.7);
    asha.onResult(2, 0, 0.6);
    assertThat(next(asha)).extracting(Job::trialId, Job::rung).containsExactly(1, 1);
    assertThat(asha.onResult(1, 1, 0.72)).isEqualTo(WAIT);
    assertThat(asha.isFinished()).isFalse();

    // Nothing in a top ⌊n/η⌋ is left, but no trial reached R: the best at the highest rung goes on.
    assertThat(next(asha)).extracting(Job::trialId, Job::rung, Job::resource).containsExactly(1, 2, 9.0);
    assertThat(asha.onResult(1, 2, 0.74)).isEqualTo(new Decision.Complete());
    assertThat(asha.isFinished()).isTrue();
    assertThat(decided(asha)).containsExactly(
        new TrialEvent.Decided(1, 0, new Continue(1, 3.0)),
        new TrialEvent.Decided(1, 1, new Continue(2, 9.0)),
        new TrialEvent.Decided(0, 0, new Stop(Reason.BELOW_CUTOFF)),
        new TrialEvent.Decided(2, 0, new Stop(Reason.BELOW_CUTOFF)));
  }

  @Test
  void pastTheDeadlineNothingIsPromotedAndWaitingTrialsStopOnceNothingRuns() {
    FakeClock clock = new FakeClock();
    AshaConfig config = AshaConfig.maximize(AshaConfig.UNLIMITED).withDeadline(T0.plusSeconds(60));
    AshaScheduler asha = new AshaScheduler(config, AshaSchedulerTest.oneFamily(1, 9), 7, clock);
    for (int i = 0; i < 3; i++) {
      next(asha);
    }
    asha.onResult(0, 0, 0.5);
    asha.onResult(1, 0, 0.9);

    clock.advance(Duration.ofSeconds(60));
    assertThat(asha.nextJob()).isEmpty();
    assertThat(asha.isFinished()).as("trial 2 still runs").isFalse();
    assertThat(asha.onResult(2, 0, 0.4)).isEqualTo(WAIT);

    // Trial 1 is the top ⌊3/3⌋ = 1 and would be promoted: the deadline stopped it.
    assertThat(decided(asha)).containsExactly(
        new TrialEvent.Decided(0, 0, new Stop(Reason.BELOW_CUTOFF)),
        new TrialEvent.Decided(1, 0, new Stop(Reason.DEADLINE)),
        new TrialEvent.Decided(2, 0, new Stop(Reason.BELOW_CUTOFF)));
    assertThat(asha.isFinished()).isTrue();
    assertThat(asha.best()).isEmpty();
  }

  @Test
  void theLastRunningTrialFailingEndsTheSweepsWork() {
    // Two rungs (1 and 3 iterations), four trials.
    AshaScheduler asha = new AshaScheduler(AshaConfig.maximize(4), AshaSchedulerTest.oneFamily(1, 3), 7,
        new FakeClock());
    for (int i = 0; i < 4; i++) {
      next(asha);
    }
    asha.onResult(0, 0, 0.5);
    asha.onResult(1, 0, 0.7);
    asha.onResult(2, 0, 0.6);
    assertThat(next(asha)).extracting(Job::trialId, Job::rung).containsExactly(1, 1);
    assertThat(asha.onResult(1, 1, 0.8)).isEqualTo(new Decision.Complete());
    assertThat(asha.isFinished()).as("trial 3 still runs").isFalse();

    asha.onFailure(3, "executor lost");

    assertThat(asha.isFinished()).isTrue();
    assertThat(asha.trials()).extracting(TrialStatus::state).containsExactly(TrialState.STOPPED,
        TrialState.COMPLETED, TrialState.STOPPED, TrialState.FAILED);
  }

  @Test
  void aFailedPromotionLeavesTheFinishToTheNextBest() {
    AshaScheduler asha = threeRungs(4);
    for (int i = 0; i < 4; i++) {
      next(asha);
    }
    asha.onResult(0, 0, 0.5);
    asha.onResult(1, 0, 0.7);
    asha.onResult(2, 0, 0.6);
    asha.onFailure(3, "executor lost");
    assertThat(next(asha)).extracting(Job::trialId, Job::rung).containsExactly(1, 1);
    asha.onFailure(1, "diverged");

    // No trial reached R and none is in a top ⌊n/η⌋ any more: the best waiting one, trial 2, finishes.
    assertThat(asha.isFinished()).isFalse();
    assertThat(next(asha)).extracting(Job::trialId, Job::rung).containsExactly(2, 1);
    assertThat(asha.onResult(2, 1, 0.65)).isEqualTo(WAIT);
    assertThat(next(asha)).extracting(Job::trialId, Job::rung).containsExactly(2, 2);
    assertThat(asha.onResult(2, 2, 0.66)).isEqualTo(new Decision.Complete());
    assertThat(asha.isFinished()).isTrue();
    assertThat(asha.trials()).extracting(TrialStatus::state).containsExactly(TrialState.STOPPED, TrialState.FAILED,
        TrialState.COMPLETED, TrialState.FAILED);
  }

  @Test
  void modeMinPromotesTheSmallestThird() {
    AshaScheduler asha = new AshaScheduler(AshaConfig.minimize(9), AshaSchedulerTest.oneFamily(1, 9), 7,
        new FakeClock());
    for (int i = 0; i < 3; i++) {
      next(asha);
    }
    asha.onResult(0, 0, 0.50);
    asha.onResult(1, 0, 0.30);
    asha.onResult(2, 0, 0.40);
    assertThat(lastCutoff(asha)).isCloseTo(0.30, within(1e-12));
    assertThat(next(asha)).extracting(Job::trialId, Job::rung).containsExactly(1, 1);
  }

  @Test
  void onAFourRungSpacePaperPromotesFarFewerThanImmediate() {
    SearchSpace space = SearchSpace.parse("""
        families:
          lr:
            resource: {kind: iterations, param: maxIter, min: 5, max: 135}
            params: {regParam: {loguniform: [1.0e-4, 1.0]}, elasticNetParam: {uniform: [0.0, 1.0]}}
          rf:
            resource: {kind: trees, param: numTrees, min: 4, max: 108}
            params: {maxDepth: {int: [3, 12]}, minInstancesPerNode: {int: [1, 50]}}
          gbt:
            resource: {kind: iterations, param: maxIter, min: 5, max: 135}
            params: {maxDepth: {int: [2, 8]}, stepSize: {loguniform: [0.01, 0.3]}}
        """, "four-rungs.yaml");
    Map<Integer, Long> paper = simulate(space, PAPER);
    Map<Integer, Long> immediate = simulate(space, IMMEDIATE);

    // 27 trials, 4 rungs, two workers: the paper's rule gives the textbook 27/9/3/1 here.
    assertThat(paper).containsExactly(Map.entry(0, 27L), Map.entry(1, 9L), Map.entry(2, 3L), Map.entry(3, 1L));
    assertThat(immediate.get(1) + immediate.get(2) + immediate.get(3)).isGreaterThan(9 + 3 + 1);
  }

  private static Map<Integer, Long> simulate(SearchSpace space, AshaConfig.Promotion promotion) {
    AshaScheduler asha = new AshaScheduler(AshaConfig.maximize(27).withPromotion(promotion), space, 42,
        new FakeClock());
    new SimulatedDriver(asha, 2, SimulatedDriver::learningCurve).runToEnd();
    assertThat(asha.isFinished()).isTrue();
    assertThat(asha.trials()).allMatch(t -> t.state().terminal());
    return resultsPerRung(asha);
  }

  @Test
  void concurrentWorkersThatWaitForPromotionsLeaveEveryTrialTerminal() throws Exception {
    AshaScheduler asha = new AshaScheduler(AshaConfig.maximize(200), SearchSpace.defaultSpace(), 5, new FakeClock());
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> workers = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        workers.add(pool.submit(() -> {
          while (true) {
            Optional<Job> next = asha.nextJob();
            if (next.isEmpty()) {
              if (asha.isFinished()) {
                return;
              }
              Thread.yield();  // another worker's result may still make a trial promotable
              continue;
            }
            Job job = next.get();
            Decision d = asha.onResult(job.trialId(), job.rung(), SimulatedDriver.learningCurve(job));
            assertThat(d).isNotInstanceOf(Continue.class);
          }
        }));
      }
      for (Future<?> f : workers) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(asha.trials()).hasSize(200).allMatch(t -> t.state().terminal());
    assertThat(asha.best()).isPresent();
    // Every trial's results are at consecutive rungs from 0, each rung once.
    Map<Integer, List<Integer>> rungs = asha.results().stream().collect(Collectors.groupingBy(
        TrialEvent.Result::trialId, Collectors.mapping(TrialEvent.Result::rung, Collectors.toList())));
    rungs.values().forEach(r -> assertThat(r).isEqualTo(java.util.stream.IntStream.range(0, r.size()).boxed().toList()));
  }
}

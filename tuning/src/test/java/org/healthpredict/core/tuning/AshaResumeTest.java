package org.healthpredict.core.tuning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.healthpredict.core.tuning.AshaConfig.Promotion;
import org.healthpredict.core.tuning.AshaSchedulerTest.FakeClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class AshaResumeTest {

  private static final SearchSpace SPACE = SearchSpace.defaultSpace();
  private static final AshaConfig CONFIG = AshaConfig.maximize(40);

  @ParameterizedTest
  @EnumSource(Promotion.class)
  void replayingTheHistoryGivesTheSameStateWithInterruptedTrialsPaused(Promotion promotion) {
    AshaConfig config = CONFIG.withPromotion(promotion);
    AshaScheduler original = new AshaScheduler(config, SPACE, 21, new FakeClock());
    SimulatedDriver driver = new SimulatedDriver(original, 3, SimulatedDriver::learningCurve);
    driver.run(25);
    List<Job> interrupted = driver.inFlight();
    assertThat(interrupted).isNotEmpty();

    AshaScheduler resumed = AshaScheduler.restore(config, SPACE, 21, new FakeClock(), original.events());

    assertThat(resumed.events()).isEqualTo(original.events());
    assertThat(resumed.results()).isEqualTo(original.results());
    List<TrialStatus> expected = new ArrayList<>();
    for (TrialStatus t : original.trials()) {
      expected.add(t.state() != TrialState.RUNNING ? t
          : new TrialStatus(t.id(), t.config(), t.bracket(), TrialState.PAUSED, t.rung(), t.resource()));
    }
    assertThat(resumed.trials()).isEqualTo(expected);
    assertThat(resumed.isFinished()).isFalse();
  }

  @ParameterizedTest
  @EnumSource(Promotion.class)
  void resumedSweepHandsBackInterruptedJobsThenDecidesAsTheOriginalWould(Promotion promotion) {
    AshaConfig config = CONFIG.withPromotion(promotion);
    AshaScheduler original = new AshaScheduler(config, SPACE, 21, new FakeClock());
    SimulatedDriver driver = new SimulatedDriver(original, 3, SimulatedDriver::learningCurve);
    driver.run(25);
    List<Job> interrupted = driver.inFlight();

    AshaScheduler resumed = AshaScheduler.restore(config, SPACE, 21, new FakeClock(), original.events());
    List<Job> handedBack = new ArrayList<>();
    for (int i = 0; i < interrupted.size(); i++) {
      handedBack.add(resumed.nextJob().orElseThrow());
    }
    assertThat(handedBack).isEqualTo(interrupted);
    assertThat(resumed.trials()).isEqualTo(original.trials());

    // The original goes on as if it never crashed, its workers holding the jobs in the order the
    // resumed scheduler handed them back; from here on both must decide alike.
    driver.sortInFlightById();
    SimulatedDriver resumedDriver = new SimulatedDriver(resumed, 3, SimulatedDriver::learningCurve);
    resumedDriver.hold(handedBack);
    driver.runToEnd();
    resumedDriver.runToEnd();

    assertThat(resumed.events()).isEqualTo(original.events());
    assertThat(resumed.trials()).isEqualTo(original.trials());
    assertThat(resumed.isFinished()).isTrue();
  }

  @Test
  void replayKeepsDeadlineStopsThatTheClockNoLongerExplains() {
    FakeClock clock = new FakeClock();
    AshaConfig config = AshaConfig.maximize(10).withPromotion(Promotion.IMMEDIATE)
        .withDeadline(Instant.parse("2025-01-01T00:01:00Z"));
    AshaScheduler original = new AshaScheduler(config, SPACE, 2, clock);
    Job job = original.nextJob().orElseThrow();
    clock.advance(Duration.ofMinutes(2));
    assertThat(original.onResult(job.trialId(), 0, 0.7)).isEqualTo(new Decision.Stop(Decision.Reason.DEADLINE));

    // Resumed with a later deadline, so the clock now would promote; the record wins.
    AshaConfig extended = config.withDeadline(Instant.parse("2025-01-01T01:00:00Z"));
    AshaScheduler resumed = AshaScheduler.restore(extended, SPACE, 2, new FakeClock(), original.events());
    assertThat(resumed.trials()).isEqualTo(original.trials());
    assertThat(resumed.trials().get(0).state()).isEqualTo(TrialState.STOPPED);
  }

  @Test
  void replayKeepsFailures() {
    AshaScheduler original = new AshaScheduler(CONFIG, SPACE, 8, new FakeClock());
    Job job = original.nextJob().orElseThrow();
    original.onFailure(job.trialId(), "OutOfMemoryError");

    AshaScheduler resumed = AshaScheduler.restore(CONFIG, SPACE, 8, new FakeClock(), original.events());
    assertThat(resumed.trials()).isEqualTo(original.trials());
    assertThat(resumed.nextJob().orElseThrow().trialId()).isEqualTo(1);
  }

  @Test
  void historyFromAnotherSeedIsRejected() {
    AshaScheduler original = new AshaScheduler(CONFIG, SPACE, 21, new FakeClock());
    new SimulatedDriver(original, 2, SimulatedDriver::learningCurve).run(5);

    assertThatThrownBy(() -> AshaScheduler.restore(CONFIG, SPACE, 22, new FakeClock(), original.events()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cannot resume: history entry 0")
        .hasMessageContaining("were the seed or the search space changed?");
  }

  @Test
  void historyFromAnotherReductionFactorIsRejected() {
    AshaScheduler original = new AshaScheduler(CONFIG, SPACE, 21, new FakeClock());
    new SimulatedDriver(original, 2, SimulatedDriver::learningCurve).run(10);

    assertThatThrownBy(() -> AshaScheduler.restore(CONFIG.withEta(2), SPACE, 21, new FakeClock(), original.events()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("were eta, mode, promotion or the search space changed?");
  }

  @Test
  void waitingTrialsAndTheirLaterPromotionsAndStopsReplay() {
    AshaConfig config = AshaConfig.maximize(9);
    AshaScheduler original = new AshaScheduler(config, AshaSchedulerTest.oneFamily(1, 9), 3, new FakeClock());
    SimulatedDriver driver = new SimulatedDriver(original, 2, SimulatedDriver::learningCurve);
    driver.run(11);
    // Mid-sweep: some trials wait, one was promoted later, two jobs are in flight.
    assertThat(original.trials()).extracting(TrialStatus::state).contains(TrialState.WAITING);
    assertThat(original.events()).hasAtLeastOneElementOfType(TrialEvent.Decided.class);
    List<Job> interrupted = driver.inFlight();
    assertThat(interrupted).isNotEmpty();

    AshaScheduler resumed = AshaScheduler.restore(config, AshaSchedulerTest.oneFamily(1, 9), 3, new FakeClock(),
        original.events());
    assertThat(resumed.trials()).extracting(TrialStatus::state)
        .containsExactlyElementsOf(original.trials().stream()
            .map(t -> t.state() == TrialState.RUNNING ? TrialState.PAUSED : t.state()).toList());

    // Both go on from here; the stops at the end are events too, so a replay of the whole history,
    // stops included, gives the finished scheduler back.
    driver.sortInFlightById();
    SimulatedDriver resumedDriver = new SimulatedDriver(resumed, 2, SimulatedDriver::learningCurve);
    List<Job> handedBack = new ArrayList<>();
    for (int i = 0; i < interrupted.size(); i++) {
      handedBack.add(resumed.nextJob().orElseThrow());
    }
    assertThat(handedBack).isEqualTo(interrupted);
    resumedDriver.hold(handedBack);
    driver.runToEnd();
    resumedDriver.runToEnd();
    assertThat(resumed.events()).isEqualTo(original.events());
    assertThat(original.events().stream().filter(e -> e instanceof TrialEvent.Decided d
        && d.decision() instanceof Decision.Stop)).isNotEmpty();
    AshaScheduler replayedEnd = AshaScheduler.restore(config, AshaSchedulerTest.oneFamily(1, 9), 3, new FakeClock(),
        original.events());
    assertThat(replayedEnd.trials()).isEqualTo(original.trials());
    assertThat(replayedEnd.isFinished()).isTrue();
  }

  @Test
  void historyWrittenUnderTheOtherPromotionRuleIsRejected() {
    AshaScheduler paper = new AshaScheduler(CONFIG.withPromotion(Promotion.PAPER), SPACE, 21, new FakeClock());
    new SimulatedDriver(paper, 2, SimulatedDriver::learningCurve).run(4);
    AshaScheduler immediate = new AshaScheduler(CONFIG.withPromotion(Promotion.IMMEDIATE), SPACE, 21, new FakeClock());
    new SimulatedDriver(immediate, 2, SimulatedDriver::learningCurve).run(4);

    assertThatThrownBy(() -> AshaScheduler.restore(CONFIG.withPromotion(Promotion.IMMEDIATE), SPACE, 21,
        new FakeClock(), paper.events()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("decision=Wait").hasMessageContaining("promotion");
    assertThatThrownBy(() -> AshaScheduler.restore(CONFIG.withPromotion(Promotion.PAPER), SPACE, 21,
        new FakeClock(), immediate.events()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("promotion");
  }

  @Test
  void aRecordedPromotionThatThisSchedulerWouldNotMakeIsRejected() {
    AshaConfig config = AshaConfig.maximize(9);
    SearchSpace space = AshaSchedulerTest.oneFamily(1, 9);
    AshaScheduler original = new AshaScheduler(config, space, 3, new FakeClock());
    for (int i = 0; i < 3; i++) {
      original.onResult(original.nextJob().orElseThrow().trialId(), 0, 0.1 * (i + 1));
    }
    original.nextJob().orElseThrow();  // promotes trial 2, the best
    List<TrialEvent> history = new ArrayList<>(original.events());
    TrialEvent.Decided promotion = (TrialEvent.Decided) history.get(history.size() - 1);
    assertThat(promotion.trialId()).isEqualTo(2);
    // Tamper: claim trial 0 (the worst) was promoted instead.
    history.set(history.size() - 1, new TrialEvent.Decided(0, 0, promotion.decision()));

    assertThatThrownBy(() -> AshaScheduler.restore(config, space, 3, new FakeClock(), history))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("this sweep would promote trial 2");
  }
}

package org.healthpredict.core.tuning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.healthpredict.core.tuning.AshaSchedulerTest.FakeClock;
import org.junit.jupiter.api.Test;

class AshaResumeTest {

  private static final SearchSpace SPACE = SearchSpace.defaultSpace();
  private static final AshaConfig CONFIG = AshaConfig.maximize(40);

  @Test
  void replayingTheHistoryGivesTheSameStateWithInterruptedTrialsPaused() {
    AshaScheduler original = new AshaScheduler(CONFIG, SPACE, 21, new FakeClock());
    SimulatedDriver driver = new SimulatedDriver(original, 3, SimulatedDriver::learningCurve);
    driver.run(25);
    List<Job> interrupted = driver.inFlight();
    assertThat(interrupted).isNotEmpty();

    AshaScheduler resumed = AshaScheduler.restore(CONFIG, SPACE, 21, new FakeClock(), original.events());

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

  @Test
  void resumedSweepHandsBackInterruptedJobsThenDecidesAsTheOriginalWould() {
    AshaScheduler original = new AshaScheduler(CONFIG, SPACE, 21, new FakeClock());
    SimulatedDriver driver = new SimulatedDriver(original, 3, SimulatedDriver::learningCurve);
    driver.run(25);
    List<Job> interrupted = driver.inFlight();

    AshaScheduler resumed = AshaScheduler.restore(CONFIG, SPACE, 21, new FakeClock(), original.events());
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
    AshaConfig config = AshaConfig.maximize(10).withDeadline(Instant.parse("2025-01-01T00:01:00Z"));
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
        .hasMessageContaining("were eta, mode or the search space changed?");
  }
}

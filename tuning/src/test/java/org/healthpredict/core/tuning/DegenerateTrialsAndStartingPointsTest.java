package org.healthpredict.core.tuning;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DegenerateTrialsAndStartingPointsTest {

  private static final SearchSpace SPACE = SearchSpace.parse("""
      families:
        f:
          resource: {kind: iterations, param: maxIter, min: 1, max: 9}
          params:
            x: {uniform: [0, 1]}
      """, "one.yaml");
  private static final InstantSource CLOCK = InstantSource.fixed(Instant.parse("2026-01-01T00:00:00Z"));

  private static RungScore scored(double mean) {
    return new RungScore(mean, 0.01, 2, false, 10);
  }

  @Test
  void aDegenerateResultStopsItsTrialAndTakesNoPromotionSlot() {
    AshaScheduler s = new AshaScheduler(AshaConfig.maximize(6), SPACE, 1, CLOCK);
    for (int i = 0; i < 3; i++) {
      s.nextJob().orElseThrow();
    }
    // Trial 0 scores highest, but its predictions were degenerate.
    Decision d0 = s.onResult(0, 0, new RungScore(0.99, 0.0, 2, true, 1));
    assertThat(d0).isEqualTo(new Decision.Stop(Decision.Reason.DEGENERATE));
    s.onResult(1, 0, scored(0.6));
    s.onResult(2, 0, scored(0.7));
    s.nextJob();
    s.nextJob();
    s.nextJob();
    s.onResult(3, 0, scored(0.5));
    // Four results at rung 0, one degenerate: three count, so the top ⌊3/3⌋ = 1 is trial 2.
    Job promoted = s.nextJob().orElseThrow();
    assertThat(promoted.trialId()).isEqualTo(2);
    assertThat(promoted.rung()).isEqualTo(1);
    assertThat(s.trials().get(0).state()).isEqualTo(TrialState.DEGENERATE);
    assertThat(s.trials().get(0).state().terminal()).isTrue();
  }

  @Test
  void aDegenerateResultAtTheTopRungIsNeverTheBest() {
    List<TrialConfig> starts = List.of(new TrialConfig("f", Map.of("x", 0.1)), new TrialConfig("f", Map.of("x", 0.2)));
    AshaScheduler s = new AshaScheduler(AshaConfig.maximize(2), SPACE, new RandomSampler(SPACE, 1), starts, CLOCK);
    Job a = s.nextJob().orElseThrow();
    Job b = s.nextJob().orElseThrow();
    assertThat(a.rung()).isEqualTo(2);
    assertThat(a.resource()).isEqualTo(9.0);
    assertThat(b.config()).isEqualTo(starts.get(1));
    assertThat(s.onResult(a.trialId(), 2, new RungScore(0.9, 0.01, 5, true, 1))).isInstanceOf(Decision.Stop.class);
    assertThat(s.onResult(b.trialId(), 2, scored(0.6))).isEqualTo(new Decision.Complete());
    assertThat(s.best().orElseThrow().trialId()).isEqualTo(b.trialId());
    assertThat(s.isFinished()).isTrue();
  }

  @Test
  void startingPointsComeFirstThenTheSampler() {
    List<TrialConfig> starts = List.of(new TrialConfig("f", Map.of("x", 0.5)));
    AshaScheduler s = new AshaScheduler(AshaConfig.maximize(3), SPACE, new RandomSampler(SPACE, 1), starts, CLOCK);
    Job first = s.nextJob().orElseThrow();
    Job second = s.nextJob().orElseThrow();
    assertThat(first.config()).isEqualTo(starts.get(0));
    assertThat(first.rung()).isEqualTo(2);
    assertThat(second.rung()).isZero();
    assertThat(second.config()).isEqualTo(new RandomSampler(SPACE, 1).next());
  }
}

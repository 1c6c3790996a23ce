package org.healthpredict.core.tuning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class WinnerRuleAndFoldScheduleTest {

  private static TrialEvent.Result completed(int id, double mean, double se, double complexity) {
    return completed(id, "f", mean, se, complexity);
  }

  private static TrialEvent.Result completed(int id, String family, double mean, double se, double complexity) {
    return new TrialEvent.Result(id, family, 3, 9, mean, Double.NaN, new Decision.Complete(),
        new RungScore(mean, se, 5, false, complexity));
  }

  @Test
  void oneStandardErrorTakesTheSimplestTrialWithinReachOfTheBest() {
    List<TrialEvent.Result> results = List.of(
        completed(0, 0.660, 0.010, 900),   // best mean
        completed(1, 0.652, 0.012, 40),    // within 0.010 of the best, and small
        completed(2, 0.655, 0.009, 300),
        completed(3, 0.640, 0.010, 5));    // simplest, but 0.020 below: out of reach
    assertThat(WinnerRule.ONE_STANDARD_ERROR.choose(results, true).orElseThrow().trialId()).isEqualTo(1);
    assertThat(WinnerRule.BEST.choose(results, true).orElseThrow().trialId()).isEqualTo(0);
  }

  @Test
  void sizesAreComparedWithinTheBestTrialsFamilyOnly() {
    List<TrialEvent.Result> results = List.of(completed(0, "rf", 0.657, 0.017, 9000), completed(1, "lr", 0.645, 0.010, 90),
        completed(2, "rf", 0.650, 0.012, 3000));
    assertThat(WinnerRule.ONE_STANDARD_ERROR.choose(results, true).orElseThrow().trialId()).isEqualTo(2);
  }

  @Test
  void forAMetricToMinimiseTheReachIsUpwards() {
    List<TrialEvent.Result> results = List.of(completed(0, 0.30, 0.02, 100), completed(1, 0.31, 0.01, 10),
        completed(2, 0.33, 0.01, 1));
    assertThat(WinnerRule.ONE_STANDARD_ERROR.choose(results, false).orElseThrow().trialId()).isEqualTo(1);
    assertThat(WinnerRule.BEST.choose(results, false).orElseThrow().trialId()).isZero();
    assertThat(WinnerRule.ONE_STANDARD_ERROR.choose(List.of(), true)).isEmpty();
  }

  @Test
  void foldsGrowFromTwoAtRungZeroToAllAtTheTop() {
    FoldSchedule grow = new FoldSchedule(5, FoldSchedule.Policy.GROW);
    assertThat(List.of(grow.foldsAt(0, 4), grow.foldsAt(1, 4), grow.foldsAt(2, 4), grow.foldsAt(3, 4)))
        .containsExactly(2, 3, 4, 5);
    assertThat(List.of(grow.foldsAt(0, 2), grow.foldsAt(1, 2))).containsExactly(2, 5);
    assertThat(grow.foldsAt(0, 1)).isEqualTo(5);
    assertThat(new FoldSchedule(5, FoldSchedule.Policy.ALL).foldsAt(0, 4)).isEqualTo(5);
    assertThatThrownBy(() -> new FoldSchedule(1, FoldSchedule.Policy.GROW)).hasMessageContaining("at least 2 folds");
  }
}

package org.healthpredict.core.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class DecisionThresholdAndDegenerateCheckTest {

  /** Ten patients, four readmitted; scores rank them imperfectly. */
  private static final ScoredPairs TEN = new ScoredPairs(
      new double[] {0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.15, 0.1},
      new double[] {1, 0, 1, 0, 0, 1, 0, 0, 1, 0});

  @Test
  void maxF1IsTheThresholdBinaryMetricsReports() {
    DecisionThreshold t = DecisionThreshold.maxF1(TEN);
    // Top 3: precision 2/3, recall 1/2, F1 0.571; top 6: 3/6 and 3/4, F1 0.6; top 9: 4/9 and 1, F1 8/13.
    assertThat(t.threshold()).isEqualTo(0.15);
    assertThat(t.precision()).isCloseTo(4 / 9.0, within(1e-12));
    assertThat(t.recall()).isEqualTo(1.0);
    assertThat(t.f1()).isCloseTo(8 / 13.0, within(1e-12));
    assertThat(t.rule()).isEqualTo("max_f1");
  }

  @Test
  void aRecallTargetTakesTheHighestThresholdThatReachesIt() {
    DecisionThreshold all = DecisionThreshold.forRecall(TEN, 1.0);
    assertThat(all.threshold()).isEqualTo(0.15);
    assertThat(all.recall()).isEqualTo(1.0);
    assertThat(all.precision()).isCloseTo(4 / 9.0, within(1e-12));
    DecisionThreshold half = DecisionThreshold.forRecall(TEN, 0.5);
    assertThat(half.threshold()).isEqualTo(0.7);
    assertThat(half.precision()).isCloseTo(2 / 3.0, within(1e-12));
    assertThat(half.rule()).isEqualTo("recall>=0.5");
    assertThat(DecisionThreshold.forRecall(TEN, 0.6).recall()).isEqualTo(0.75);
    assertThatThrownBy(() -> DecisionThreshold.forRecall(TEN, 0)).hasMessageContaining("(0, 1]");
  }

  @Test
  void pooledFoldsKeepEveryPair() {
    ScoredPairs pooled = ScoredPairs.concat(List.of(TEN, new ScoredPairs(new double[] {0.3}, new double[] {1})));
    assertThat(pooled.size()).isEqualTo(11);
    assertThat(pooled.positives()).isEqualTo(5);
    assertThat(pooled.probability()[10]).isEqualTo(0.3);
  }

  @Test
  void aFoldWhereNearlyEveryoneGetsTheSameProbabilityIsDegenerate() {
    double[] p = new double[200];
    java.util.Arrays.fill(p, 0.11);
    p[0] = 0.3;
    double[] y = new double[200];
    assertThat(DegenerateCheck.largestTie(p)).isEqualTo(0.995);
    assertThat(DegenerateCheck.nearConstant(new ScoredPairs(p, y))).isTrue();
    p[1] = 0.2;
    p[2] = 0.25;
    assertThat(DegenerateCheck.nearConstant(new ScoredPairs(p, y))).isFalse();
    assertThat(DegenerateCheck.nearConstant(TEN)).isFalse();
  }

  @Test
  void theChanceBarIsTwoNullStandardErrorsAboveOneHalf() {
    // 89 positives, 687 negatives (the sample's test part): sqrt(777 / (12 * 89 * 687)) = 0.0325.
    assertThat(DegenerateCheck.chanceBar(89, 687)).isCloseTo(0.5 + 2 * 0.03253, within(1e-4));
    assertThat(DegenerateCheck.chanceBar(450, 3500)).isLessThan(DegenerateCheck.chanceBar(89, 687));
  }
}

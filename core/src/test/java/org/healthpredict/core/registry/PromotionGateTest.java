package org.healthpredict.core.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import org.healthpredict.core.registry.GateDecision.Verdict;
import org.junit.jupiter.api.Test;

/** The promotion gate with plain numbers: floors first, then the champion, by the margin. */
class PromotionGateTest {

  private static final String SET = "test-set";

  private static Evaluation eval(double prAuc, double rocAuc) {
    return new Evaluation(SET, Map.of("test_pr_auc", prAuc, "test_roc_auc", rocAuc));
  }

  private static PromotionGate gate(double margin, Map<String, Double> floors) {
    return new PromotionGate("test_pr_auc", true, margin, floors);
  }

  @Test
  void promotesTheFirstCandidateWhenThereIsNoChampionAndTheFloorsAreMet() {
    GateDecision decision = gate(0, Map.of("test_roc_auc", 0.60))
        .decide(eval(0.20, 0.65), Optional.empty());

    assertThat(decision.verdict()).isEqualTo(Verdict.PROMOTE);
    assertThat(decision.reason()).contains("no champion yet", "0.2000", "test_roc_auc ≥ 0.6000");
    assertThat(decision.championMetrics()).isEmpty();
  }

  @Test
  void rejectsACandidateBelowAFloorNamingTheFloorEvenWithoutAChampion() {
    GateDecision decision = gate(0, Map.of("test_roc_auc", 0.60))
        .decide(eval(0.30, 0.55), Optional.empty());

    assertThat(decision.verdict()).isEqualTo(Verdict.REJECT);
    assertThat(decision.metric()).isEqualTo("test_roc_auc");
    assertThat(decision.reason()).isEqualTo("candidate test_roc_auc 0.5500 is below the floor 0.6000");
  }

  @Test
  void aFloorRejectsEvenACandidateThatBeatsTheChampion() {
    GateDecision decision = gate(0, Map.of("test_pr_auc", 0.25))
        .decide(eval(0.24, 0.70), Optional.of(eval(0.10, 0.70)));

    assertThat(decision.verdict()).isEqualTo(Verdict.REJECT);
    assertThat(decision.reason()).contains("test_pr_auc 0.2400 is below the floor 0.2500");
  }

  @Test
  void promotesACandidateThatBeatsTheChampionByExactlyTheMargin() {
    GateDecision decision = gate(0.01, Map.of()).decide(eval(0.80, 0.7), Optional.of(eval(0.79, 0.7)));

    assertThat(decision.verdict()).isEqualTo(Verdict.PROMOTE);
    assertThat(decision.reason()).isEqualTo("candidate test_pr_auc 0.8000 vs champion 0.7900"
        + " (higher is better, margin 0.0100): better by 0.0100");
  }

  @Test
  void rejectsACandidateThatBeatsTheChampionByLessThanTheMargin() {
    GateDecision decision = gate(0.02, Map.of()).decide(eval(0.80, 0.7), Optional.of(eval(0.79, 0.7)));

    assertThat(decision.verdict()).isEqualTo(Verdict.REJECT);
    assertThat(decision.reason()).contains("0.8000", "0.7900", "margin 0.0200",
        "better by only 0.0100");
  }

  @Test
  void aTieWithMarginZeroKeepsTheChampion() {
    GateDecision decision = gate(0, Map.of()).decide(eval(0.5, 0.7), Optional.of(eval(0.5, 0.7)));

    assertThat(decision.verdict()).isEqualTo(Verdict.REJECT);
    assertThat(decision.reason()).contains("a tie keeps the champion");
  }

  @Test
  void rejectsAWorseCandidateNamingTheMetricBothValuesAndTheMargin() {
    GateDecision decision = gate(0, Map.of()).decide(eval(0.18, 0.7), Optional.of(eval(0.21, 0.7)));

    assertThat(decision.verdict()).isEqualTo(Verdict.REJECT);
    assertThat(decision.metric()).isEqualTo("test_pr_auc");
    assertThat(decision.reason()).isEqualTo("candidate test_pr_auc 0.1800 vs champion 0.2100"
        + " (higher is better, margin 0.0000): worse by 0.0300");
    assertThat(decision.candidateMetrics()).containsEntry("test_pr_auc", 0.18);
    assertThat(decision.championMetrics()).containsEntry("test_pr_auc", 0.21);
  }

  @Test
  void aLowerIsBetterMetricPromotesTheSmallerValue() {
    PromotionGate logLoss = new PromotionGate("test_log_loss", false, 0.005, Map.of());
    Evaluation candidate = new Evaluation(SET, Map.of("test_log_loss", 0.30));
    Evaluation champion = new Evaluation(SET, Map.of("test_log_loss", 0.32));

    assertThat(logLoss.decide(candidate, Optional.of(champion)).verdict())
        .isEqualTo(Verdict.PROMOTE);
    assertThat(logLoss.decide(champion, Optional.of(candidate)).reason())
        .contains("lower is better", "worse by 0.0200");
  }

  @Test
  void theDefaultGateComparesTestPrAucWithNoMarginAndNoFloors() {
    PromotionGate gate = PromotionGate.defaults();

    assertThat(gate.primaryMetric()).isEqualTo("test_pr_auc");
    assertThat(gate.decide(eval(0.2001, 0.1), Optional.of(eval(0.2, 0.9))).verdict())
        .isEqualTo(Verdict.PROMOTE);
  }

  @Test
  void rejectsACandidateWithoutThePrimaryMetricOrAFloorMetric() {
    Evaluation bare = new Evaluation(SET, Map.of("test_roc_auc", 0.9));

    assertThat(gate(0, Map.of()).decide(bare, Optional.empty()).reason())
        .isEqualTo("candidate has no test_pr_auc");
    assertThat(gate(0, Map.of("test_brier", 0.0)).decide(bare, Optional.empty()).reason())
        .contains("candidate has no test_brier");
  }

  @Test
  void aChampionWithoutThePrimaryMetricIsNotBeatenByDefault() {
    Evaluation champion = new Evaluation(SET, Map.of("test_roc_auc", 0.7));

    GateDecision decision = gate(0, Map.of()).decide(eval(0.3, 0.7), Optional.of(champion));

    assertThat(decision.verdict()).isEqualTo(Verdict.REJECT);
    assertThat(decision.reason()).contains("champion has no test_pr_auc", "cannot be compared");
  }

  @Test
  void refusesToCompareEvaluationsOnDifferentTestSets() {
    Evaluation elsewhere = new Evaluation("other-set", Map.of("test_pr_auc", 0.1));

    assertThatThrownBy(() -> gate(0, Map.of()).decide(eval(0.3, 0.7), Optional.of(elsewhere)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'test-set'").hasMessageContaining("'other-set'");
  }

  @Test
  void refusesANegativeOrNonNumericMargin() {
    assertThatThrownBy(() -> gate(-0.01, Map.of())).hasMessageContaining("margin");
    assertThatThrownBy(() -> gate(Double.NaN, Map.of())).hasMessageContaining("margin");
  }

  private static Optional<PromotionGate.Baseline> baseline(double prAuc, double rocAuc) {
    return Optional.of(new PromotionGate.Baseline("untuned logistic regression", eval(prAuc, rocAuc)));
  }

  @Test
  void aCandidateMustBeatTheUntunedBaselineOnThePrimaryMetricAndOnRocAuc() {
    PromotionGate gate = gate(0, Map.of());
    GateDecision beats = gate.decide(eval(0.20, 0.66), Optional.empty(), baseline(0.18, 0.64));
    assertThat(beats.verdict()).isEqualTo(Verdict.PROMOTE);

    GateDecision tie = gate.decide(eval(0.18, 0.66), Optional.empty(), baseline(0.18, 0.64));
    assertThat(tie.verdict()).isEqualTo(Verdict.REJECT);
    assertThat(tie.metric()).isEqualTo("test_pr_auc");
    assertThat(tie.reason()).isEqualTo("candidate test_pr_auc 0.1800 does not beat the untuned baseline (untuned "
        + "logistic regression) at 0.1800 on the same test rows");

    GateDecision ranksWorse = gate.decide(eval(0.20, 0.63), Optional.of(eval(0.10, 0.55)), baseline(0.18, 0.64));
    assertThat(ranksWorse.verdict()).as("even when it would beat the champion").isEqualTo(Verdict.REJECT);
    assertThat(ranksWorse.metric()).isEqualTo("test_roc_auc");
    assertThat(ranksWorse.reason()).contains("0.6300 does not beat the untuned baseline", "at 0.6400");
  }

  @Test
  void aBaselineOnOtherRowsIsAMistakeNotAVerdict() {
    Optional<PromotionGate.Baseline> elsewhere = Optional.of(new PromotionGate.Baseline("lr",
        new Evaluation("other-set", Map.of("test_pr_auc", 0.1, "test_roc_auc", 0.6))));
    assertThatThrownBy(() -> gate(0, Map.of()).decide(eval(0.2, 0.7), Optional.empty(), elsewhere))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("but the baseline on 'other-set'");
  }

  @Test
  void chanceFloorsAddToTheConfiguredOnesKeepingTheHigher() {
    PromotionGate gate = gate(0, Map.of("test_roc_auc", 0.60)).withFloor("test_roc_auc", 0.55)
        .withFloor("test_pr_auc", 0.11);
    assertThat(gate.floors()).containsExactlyInAnyOrderEntriesOf(Map.of("test_roc_auc", 0.60, "test_pr_auc", 0.11));
    GateDecision constant = gate.decide(eval(0.105, 0.5), Optional.empty());
    assertThat(constant.verdict()).isEqualTo(Verdict.REJECT);
    assertThat(constant.reason()).isEqualTo("candidate test_pr_auc 0.1050 is below the floor 0.1100");
  }
}

package org.healthpredict.serving.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TrafficRouterTest {

  @Test
  void aPatientAlwaysGetsTheSameVariant() {
    TrafficRouter router = new TrafficRouter(AbMode.SPLIT, 0.3);
    for (long patient = 8222157L; patient < 8222157L + 200; patient++) {
      Variant first = router.answering(patient);
      for (int i = 0; i < 5; i++) {
        assertThat(router.answering(patient)).isEqualTo(first);
      }
    }
  }

  @Test
  void theChallengerGetsItsShareOfPatients() {
    // Consecutive patient numbers, as the data set's are: the hash must still spread them evenly.
    for (double share : new double[] {0.1, 0.3, 0.5}) {
      TrafficRouter router = new TrafficRouter(AbMode.SPLIT, share);
      int n = 100_000;
      int challenger = 0;
      for (long patient = 135L; patient < 135L + n; patient++) {
        challenger += router.answering(patient) == Variant.CHALLENGER ? 1 : 0;
      }
      assertThat((double) challenger / n).isCloseTo(share, org.assertj.core.data.Offset.offset(0.01));
    }
  }

  @Test
  void sharesZeroAndOneAreAllOrNothing() {
    TrafficRouter none = new TrafficRouter(AbMode.SPLIT, 0.0);
    TrafficRouter all = new TrafficRouter(AbMode.SPLIT, 1.0);
    for (long patient = 1; patient < 10_000; patient++) {
      assertThat(none.answering(patient)).isEqualTo(Variant.CHAMPION);
      assertThat(all.answering(patient)).isEqualTo(Variant.CHALLENGER);
    }
  }

  @Test
  void inShadowModeTheChampionAlwaysAnswers() {
    TrafficRouter shadow = new TrafficRouter(AbMode.SHADOW, 1.0);
    assertThat(shadow.answering(42L)).isEqualTo(Variant.CHAMPION);
    assertThat(shadow.answering(null)).isEqualTo(Variant.CHAMPION);
  }

  @Test
  void aShareOutsideZeroToOneIsRefused() {
    assertThatThrownBy(() -> new TrafficRouter(AbMode.SPLIT, 1.5)).hasMessageContaining("[0, 1]");
  }

  @Test
  void theHashIsUniformOverTheUnitInterval() {
    int[] deciles = new int[10];
    for (long k = 0; k < 50_000; k++) {
      double u = TrafficRouter.unitInterval(k);
      assertThat(u).isBetween(0.0, 1.0).isLessThan(1.0);
      deciles[(int) (u * 10)]++;
    }
    for (int count : deciles) {
      assertThat(count).isBetween(4700, 5300);
    }
  }
}

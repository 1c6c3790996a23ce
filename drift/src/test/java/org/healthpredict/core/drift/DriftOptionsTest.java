package org.healthpredict.core.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Evidently's choice of test, its thresholds' sense, and per-feature overrides. */
class DriftOptionsTest {

  private final DriftOptions rules = DriftOptions.EVIDENTLY_DEFAULTS;

  @Test
  void smallReferenceGetsHypothesisTests() {
    assertThat(rules.defaultTest(FeatureKind.NUMERICAL, 1000, 6)).isEqualTo(DriftTest.KS);
    assertThat(rules.defaultTest(FeatureKind.NUMERICAL, 1000, 5)).isEqualTo(DriftTest.CHI_SQUARE);
    assertThat(rules.defaultTest(FeatureKind.CATEGORICAL, 1000, 40)).isEqualTo(DriftTest.CHI_SQUARE);
    assertThat(rules.defaultTest(FeatureKind.CATEGORICAL, 10, 2)).isEqualTo(DriftTest.Z);
    assertThat(rules.defaultTest(FeatureKind.NUMERICAL, 10, 2)).isEqualTo(DriftTest.Z);
  }

  @Test
  void largerReferenceGetsDistances() {
    assertThat(rules.defaultTest(FeatureKind.NUMERICAL, 1001, 6)).isEqualTo(DriftTest.WASSERSTEIN);
    assertThat(rules.defaultTest(FeatureKind.NUMERICAL, 1001, 5)).isEqualTo(DriftTest.JENSEN_SHANNON);
    assertThat(rules.defaultTest(FeatureKind.CATEGORICAL, 50_000, 2)).isEqualTo(DriftTest.JENSEN_SHANNON);
  }

  @Test
  void pValuesDriftBelowAndDistancesAtOrAboveTheirThreshold() {
    assertThat(DriftTest.KS.drifted(0.049, 0.05)).isTrue();
    assertThat(DriftTest.KS.drifted(0.05, 0.05)).isFalse();
    assertThat(DriftTest.WASSERSTEIN.drifted(0.1, 0.1)).isTrue();
    assertThat(DriftTest.JENSEN_SHANNON.drifted(0.099, 0.1)).isFalse();
  }

  @Test
  void overrideReplacesTheDefaultTestAndThreshold() {
    DriftOptions o = rules.withOverrides(Map.of("age", TestChoice.parse("age", "psi:0.2")));
    TestChoice age = o.choose("age", FeatureKind.CATEGORICAL, 50_000, 10);
    assertThat(age.test()).isEqualTo(DriftTest.PSI);
    assertThat(age.thresholdOrDefault()).isEqualTo(0.2);
    assertThat(o.choose("race", FeatureKind.CATEGORICAL, 50_000, 6).test()).isEqualTo(DriftTest.JENSEN_SHANNON);
    assertThat(TestChoice.parse("x", "Jensen-Shannon").thresholdOrDefault()).isEqualTo(0.1);
  }

  @Test
  void badOverridesAreRefusedNamingTheFeature() {
    assertThatThrownBy(() -> TestChoice.parse("age", "t-test")).hasMessageContaining("unknown drift test 't-test'")
        .hasMessageContaining("wasserstein");
    assertThatThrownBy(() -> TestChoice.parse("age", "ks:1.5")).hasMessageContaining("age")
        .hasMessageContaining("p-value");
    assertThatThrownBy(() -> TestChoice.parse("age", "psi:high")).hasMessageContaining("'high' is not a number");
    DriftOptions o = rules.withOverrides(Map.of("race", TestChoice.parse("race", "ks")));
    assertThatThrownBy(() -> o.choose("race", FeatureKind.CATEGORICAL, 100, 6))
        .hasMessageContaining("feature 'race' is categorical; the ks test needs numbers");
  }
}

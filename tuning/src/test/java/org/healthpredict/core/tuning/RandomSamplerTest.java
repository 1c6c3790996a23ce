package org.healthpredict.core.tuning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class RandomSamplerTest {

  private static List<TrialConfig> draw(SearchSpace space, long seed, int n) {
    RandomSampler sampler = new RandomSampler(space, seed);
    List<TrialConfig> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(sampler.next());
    }
    return out;
  }

  @Test
  void sameSeedGivesTheSameSequence() {
    SearchSpace space = SearchSpace.defaultSpace();
    assertThat(draw(space, 42, 50)).isEqualTo(draw(space, 42, 50));
    assertThat(draw(space, 43, 50)).isNotEqualTo(draw(space, 42, 50));
  }

  @Test
  void sequenceDoesNotDependOnKeyOrderInTheFile() {
    SearchSpace ab = SearchSpace.parse("""
        families:
          a: {resource: {kind: trees, min: 1, max: 9}, params: {x: {uniform: [0, 1]}, y: {int: [1, 9]}}}
          b: {resource: {kind: trees, min: 1, max: 9}, params: {z: {choice: [p, q]}}}
        """, "ab.yaml");
    SearchSpace ba = SearchSpace.parse("""
        families:
          b: {resource: {kind: trees, min: 1, max: 9}, params: {z: {choice: [p, q]}}}
          a: {resource: {kind: trees, min: 1, max: 9}, params: {y: {int: [1, 9]}, x: {uniform: [0, 1]}}}
        """, "ba.yaml");
    assertThat(draw(ba, 5, 30)).isEqualTo(draw(ab, 5, 30));
  }

  @Test
  void valuesAreTypedAndStayWithinTheirDistributions() {
    for (TrialConfig c : draw(SearchSpace.defaultSpace(), 1, 3000)) {
      Map<String, Object> p = c.params();
      switch (c.family()) {
        case "lr" -> {
          assertThat((Double) p.get("regParam")).isBetween(1e-3, 0.3);
          assertThat((Double) p.get("elasticNetParam")).isBetween(0.0, 0.25);
        }
        case "rf" -> {
          assertThat((Integer) p.get("maxDepth")).isBetween(4, 12);
          assertThat((Double) p.get("minWeightFractionPerNode")).isBetween(1e-4, 0.02);
          assertThat((String) p.get("featureSubsetStrategy")).isIn("sqrt", "log2", "onethird");
        }
        case "gbt" -> {
          assertThat((Integer) p.get("maxDepth")).isBetween(2, 6);
          assertThat((Double) p.get("stepSize")).isBetween(0.02, 0.3);
          assertThat((Double) p.get("subsamplingRate")).isBetween(0.5, 1.0);
          assertThat((Double) p.get("minWeightFractionPerNode")).isBetween(1e-4, 0.02);
        }
        default -> throw new AssertionError(c.family());
      }
    }
  }

  @Test
  void integerDistributionsReachBothEndsAndQintStaysOnItsGrid() {
    SearchSpace space = SearchSpace.parse("""
        families:
          f:
            resource: {kind: trees, min: 1, max: 9}
            params:
              depth: {int: [2, 4]}
              bins: {qint: [16, 64, 16]}
        """, "s.yaml");
    List<TrialConfig> draws = draw(space, 9, 500);
    assertThat(draws.stream().map(c -> c.params().get("depth")).distinct()).containsExactlyInAnyOrder(2, 3, 4);
    assertThat(draws.stream().map(c -> c.params().get("bins")).distinct()).containsExactlyInAnyOrder(16, 32, 48, 64);
  }

  @Test
  void loguniformSpreadsEvenlyOverOrdersOfMagnitude() {
    SearchSpace space = SearchSpace.parse("""
        families:
          f: {resource: {kind: trees, min: 1, max: 9}, params: {reg: {loguniform: [1.0e-4, 1.0]}}}
        """, "s.yaml");
    // Four decades, so about a quarter of the draws below 1e-3.
    long small = draw(space, 3, 4000).stream().filter(c -> (Double) c.params().get("reg") < 1e-3).count();
    assertThat(small).isBetween(900L, 1100L);
  }

  @Test
  void familiesArePickedUniformlyUnlessWeighted() {
    Map<String, Long> uniform = draw(SearchSpace.defaultSpace(), 4, 3000).stream()
        .collect(Collectors.groupingBy(TrialConfig::family, TreeMap::new, Collectors.counting()));
    assertThat(uniform).containsOnlyKeys("gbt", "lr", "rf");
    uniform.values().forEach(n -> assertThat(n).isBetween(900L, 1100L));

    SearchSpace weighted = SearchSpace.parse("""
        families:
          a: {weight: 3, resource: {kind: trees, min: 1, max: 9}}
          b: {resource: {kind: trees, min: 1, max: 9}}
        """, "w.yaml");
    long a = draw(weighted, 4, 4000).stream().filter(c -> c.family().equals("a")).count();
    assertThat(a).isBetween(2880L, 3120L);
  }

  @Test
  void describeListsParamsInNameOrderWithShortDoubles() {
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("stepSize", 0.1);
    params.put("maxDepth", 5);
    assertThat(new TrialConfig("gbt", params).describe()).isEqualTo("gbt maxDepth=5 stepSize=0.1");

    Map<String, Object> more = new LinkedHashMap<>();
    more.put("regParam", 0.000123456);
    more.put("elasticNetParam", 0.123456789);
    more.put("fitIntercept", true);
    more.put("family", "binomial");
    more.put("tol", 2.5e-7);
    more.put("big", 12345678.9);
    more.put("one", 1.0);
    assertThat(new TrialConfig("lr", more).describe()).isEqualTo(
        "lr big=1.235e+07 elasticNetParam=0.1235 family=binomial fitIntercept=true one=1 regParam=1.235e-04 tol=2.5e-07");
  }

  @Test
  void configRejectsValuesOfOtherTypes() {
    assertThatThrownBy(() -> new TrialConfig("gbt", Map.of("seed", 5L)))
        .hasMessageContaining("parameter seed of gbt: values must be Double, Integer, String or Boolean, found Long");
  }
}

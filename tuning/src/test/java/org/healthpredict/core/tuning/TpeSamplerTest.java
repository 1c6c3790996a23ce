package org.healthpredict.core.tuning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

class TpeSamplerTest {

  /** One family, two parameters; the objective peaks at x = 0.7, c = 0.01 (log scale) and k = 7. */
  private static final SearchSpace SPACE = SearchSpace.parse("""
      families:
        f:
          resource: {kind: iterations, param: maxIter, min: 1, max: 9}
          params:
            x: {uniform: [0, 1]}
            c: {loguniform: [1.0e-4, 1.0]}
            k: {int: [1, 20]}
      """, "synthetic.yaml");

  private static double objective(TrialConfig config) {
    double x = (Double) config.params().get("x");
    double c = Math.log10((Double) config.params().get("c"));
    int k = (Integer) config.params().get("k");
    return -Math.pow(x - 0.7, 2) - Math.pow((c + 2) / 4, 2) - Math.pow((k - 7) / 20.0, 2);
  }

  /** The best objective after {@code n} sequential trials, each told every earlier score. */
  private static double bestAfter(Sampler sampler, int n) {
    List<Observation> history = new ArrayList<>();
    double best = Double.NEGATIVE_INFINITY;
    for (int id = 0; id < n; id++) {
      TrialConfig config = sampler.next(id, List.copyOf(history));
      double value = objective(config);
      best = Math.max(best, value);
      history.add(new Observation(config, 0, value, Observation.Status.SCORED));
    }
    return best;
  }

  @Test
  void findsAKnownOptimumCloserThanRandomSearchOverTwentySeeds() {
    double[] tpeRegret = new double[20];
    double[] randomRegret = new double[20];
    int tpeWins = 0;
    for (int seed = 0; seed < 20; seed++) {
      tpeRegret[seed] = -bestAfter(new TpeSampler(SPACE, seed, 10), 60);
      randomRegret[seed] = -bestAfter(new RandomSampler(SPACE, seed), 60);
      tpeWins += tpeRegret[seed] < randomRegret[seed] ? 1 : 0;
    }
    // The optimum's objective is 0, so the regret is minus the best value found.
    assertThat(median(tpeRegret)).isLessThan(median(randomRegret) / 2);
    assertThat(tpeWins).isGreaterThanOrEqualTo(15);
  }

  @Test
  void aSeedAndAHistoryNameOneConfiguration() {
    List<Observation> history = new ArrayList<>();
    TpeSampler sampler = new TpeSampler(SPACE, 7, 3);
    for (int id = 0; id < 12; id++) {
      TrialConfig config = sampler.next(id, List.copyOf(history));
      assertThat(new TpeSampler(SPACE, 7, 3).next(id, List.copyOf(history))).isEqualTo(config);
      history.add(new Observation(config, 0, objective(config), Observation.Status.SCORED));
    }
    TrialConfig after = sampler.next(12, history);
    assertThat(new TpeSampler(SPACE, 8, 3).next(12, history)).isNotEqualTo(after);
    assertThat(sampler.next(13, history)).isNotEqualTo(after);
  }

  @Test
  void pendingTrialsSteerDrawsAwayFromWhatIsBeingTried() {
    // Ten scored trials whose best lie at x ≈ 0.7; then many pending trials sit exactly there.
    List<Observation> scored = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      double x = i / 19.0;
      TrialConfig config = new TrialConfig("f", Map.of("x", x, "c", 0.01, "k", 7));
      scored.add(new Observation(config, 0, -Math.abs(x - 0.7), Observation.Status.SCORED));
    }
    List<Observation> withPending = new ArrayList<>(scored);
    for (int i = 0; i < 20; i++) {
      withPending.add(Observation.pending(new TrialConfig("f", Map.of("x", 0.7, "c", 0.01, "k", 7))));
    }
    TpeSampler sampler = new TpeSampler(SPACE, 1, 5);
    double nearWithout = 0;
    double nearWith = 0;
    for (int id = 100; id < 300; id++) {
      nearWithout += Math.abs((Double) sampler.next(id, scored).params().get("x") - 0.7) < 0.02 ? 1 : 0;
      nearWith += Math.abs((Double) sampler.next(id, withPending).params().get("x") - 0.7) < 0.02 ? 1 : 0;
    }
    assertThat(nearWith).isLessThan(nearWithout);
  }

  @Test
  void aResumedSweepDrawsTheSameTrialsAsTheOneThatDied() {
    AshaConfig config = AshaConfig.maximize(30);
    List<TrialConfig> starts = List.of(new TrialConfig("f", Map.of("x", 0.5, "c", 0.01, "k", 5)));
    AshaScheduler original = new AshaScheduler(config, SPACE, new TpeSampler(SPACE, 3, 4), starts, CLOCK);
    ToDoubleFunction<Job> metric = job -> objective(job.config()) + job.resource() / 100;
    new SimulatedDriver(original, 2, metric).run(25);

    List<TrialEvent> history = original.events();
    AshaScheduler resumed = AshaScheduler.restore(config, SPACE, new TpeSampler(SPACE, 3, 4), starts, CLOCK, history);
    // The replay re-draws every started trial from the history before it and finds the journaled configuration.
    assertThat(resumed.events()).isEqualTo(history);
    assertThat(resumed.trials().stream().map(TrialStatus::config).toList())
        .isEqualTo(original.trials().stream().map(TrialStatus::config).toList());
    assertThat(resumed.trials().get(0).config()).isEqualTo(starts.get(0));
    assertThat(resumed.trials().get(0).rung()).isEqualTo(2);

    // Two drivers resuming the same journal go on identically.
    AshaScheduler again = AshaScheduler.restore(config, SPACE, new TpeSampler(SPACE, 3, 4), starts, CLOCK, history);
    new SimulatedDriver(resumed, 2, metric).runToEnd();
    new SimulatedDriver(again, 2, metric).runToEnd();
    assertThat(again.events()).isEqualTo(resumed.events());
    assertThat(resumed.trials()).hasSize(30);

    // Another sampler seed cannot replay this history.
    assertThatThrownBy(() -> AshaScheduler.restore(config, SPACE, new TpeSampler(SPACE, 4, 4), starts, CLOCK, history))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("does not match this sweep");
  }

  private static final InstantSource CLOCK = InstantSource.fixed(Instant.parse("2026-01-01T00:00:00Z"));

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  }
}

package org.healthpredict.core.tuning;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The tree-structured Parzen estimator (TPE; Bergstra et al. 2011), as Optuna's default sampler runs
 * it: after {@code startupTrials} informative trials drawn at random, the trials so far are ranked and
 * split into the best γ(n) = min(⌈n/10⌉, 25) ("below") and the rest ("above"); for the family, and then
 * for each of its parameters independently, 24 candidates are drawn from the below estimator l(x) and
 * the one maximising l(x)/g(x) is kept. With ASHA's rungs this is a BOHB-like search.
 *
 * <p><b>Ranking with rungs.</b> A trial's evidence is its latest result: a result at a higher rung
 * ranks above any at a lower one (it survived more halvings), then by score, then by trial id; degenerate
 * trials rank after all scored ones. This is how Optuna ranks pruned trials, by the last step reached.
 *
 * <p><b>Concurrency.</b> Trials that have started but reported nothing are ranked last (a "constant
 * liar" with the worst value), so they weigh in the above estimator and parallel workers are steered
 * away from configurations already being tried.
 *
 * <p><b>Determinism.</b> Each draw uses a generator seeded by (seed, trial id) and depends only on the
 * history passed in, so a resumed sweep that replays the same history draws the same configurations.
 */
public final class TpeSampler implements Sampler {

  /** Optuna's default number of candidates drawn from l(x) per parameter. */
  static final int CANDIDATES = 24;
  private static final int MAX_BELOW = 25;

  private final List<FamilySpace> families;
  private final long seed;
  private final int startupTrials;

  public TpeSampler(SearchSpace space, long seed, int startupTrials) {
    if (startupTrials < 0) {
      throw new IllegalArgumentException("start-up trials must be >= 0, found " + startupTrials);
    }
    this.families = new ArrayList<>(space.families().values());
    this.seed = seed;
    this.startupTrials = startupTrials;
  }

  @Override
  public TrialConfig next(int trialId, List<Observation> history) {
    Random rng = new Random(mix(seed * 0x9E3779B97F4A7C15L + trialId));
    long informative = history.stream().filter(o -> o.status() != Observation.Status.PENDING).count();
    if (informative < Math.max(1, startupTrials)) {
      return RandomSampler.draw(families, rng);
    }
    List<Observation> ranked = new ArrayList<>(history);
    ranked.sort(BEST_FIRST);  // stable: equal evidence keeps trial order
    int nBelow = Math.max(1, Math.min((int) Math.ceil(ranked.size() / 10.0), MAX_BELOW));
    List<Observation> below = ranked.subList(0, nBelow);
    List<Observation> above = ranked.subList(nBelow, ranked.size());

    FamilySpace family = families.get(chooseFamily(below, above, rng));
    Map<String, Object> params = new LinkedHashMap<>();
    List<Observation> familyBelow = ofFamily(below, family.name());
    List<Observation> familyAbove = ofFamily(above, family.name());
    family.params().forEach((name, distribution) ->
        params.put(name, chooseValue(name, distribution, familyBelow, familyAbove, rng)));
    return new TrialConfig(family.name(), params);
  }

  /**
   * MurmurHash3's 64-bit finaliser: java.util.Random seeded with consecutive numbers draws nearly the
   * same first values, so consecutive trial ids must not become consecutive seeds.
   */
  static long mix(long z) {
    z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
    z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return z ^ (z >>> 33);
  }

  private static final Comparator<Observation> BEST_FIRST = Comparator
      .comparingInt((Observation o) -> o.status().ordinal())
      .thenComparing(Comparator.comparingInt(Observation::rung).reversed())
      .thenComparing(Comparator.comparingDouble(Observation::score).reversed());

  private int chooseFamily(List<Observation> below, List<Observation> above, Random rng) {
    double[] prior = families.stream().mapToDouble(FamilySpace::weight).toArray();
    return bestCategory(new CategoricalParzen(prior, familyIndices(below)),
        new CategoricalParzen(prior, familyIndices(above)), rng);
  }

  /** Of {@link #CANDIDATES} draws from l, the category maximising l/g. */
  private static int bestCategory(CategoricalParzen l, CategoricalParzen g, Random rng) {
    int best = -1;
    double bestGain = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < CANDIDATES; i++) {
      int c = l.sample(rng);
      double gain = l.logDensity(c) - g.logDensity(c);
      if (gain > bestGain) {
        bestGain = gain;
        best = c;
      }
    }
    return best;
  }

  private int[] familyIndices(List<Observation> observations) {
    List<String> names = families.stream().map(FamilySpace::name).toList();
    return observations.stream().mapToInt(o -> names.indexOf(o.config().family())).filter(i -> i >= 0).toArray();
  }

  private static List<Observation> ofFamily(List<Observation> observations, String family) {
    return observations.stream().filter(o -> o.config().family().equals(family)).toList();
  }

  private static Object chooseValue(String name, Distribution distribution, List<Observation> below,
      List<Observation> above, Random rng) {
    if (distribution instanceof Distribution.Choice choice) {
      double[] prior = new double[choice.values().size()];
      java.util.Arrays.fill(prior, 1.0);
      return choice.values().get(bestCategory(new CategoricalParzen(prior, choiceIndices(choice, name, below)),
          new CategoricalParzen(prior, choiceIndices(choice, name, above)), rng));
    }
    Scale scale = Scale.of(distribution);
    NumericParzen l = new NumericParzen(scale.low, scale.high, internal(scale, name, below));
    NumericParzen g = new NumericParzen(scale.low, scale.high, internal(scale, name, above));
    double best = Double.NaN;
    double bestGain = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < CANDIDATES; i++) {
      double x = l.sample(rng);
      double gain = l.logDensity(x) - g.logDensity(x);
      if (gain > bestGain) {
        bestGain = gain;
        best = x;
      }
    }
    return scale.value(distribution, best);
  }

  private static int[] choiceIndices(Distribution.Choice choice, String name, List<Observation> observations) {
    return observations.stream().mapToInt(o -> choice.values().indexOf(o.config().params().get(name)))
        .filter(i -> i >= 0).toArray();
  }

  private static double[] internal(Scale scale, String name, List<Observation> observations) {
    return observations.stream().map(o -> o.config().params().get(name)).filter(Number.class::isInstance)
        .mapToDouble(v -> scale.internal(((Number) v).doubleValue())).toArray();
  }

  /**
   * A numeric distribution's internal scale, where its Parzen estimator works: log for log-uniform;
   * whole numbers widened by half a step each side and rounded back, so every integer gets an equal share.
   */
  private record Scale(double low, double high, double offset, double step, boolean log) {

    static Scale of(Distribution d) {
      if (d instanceof Distribution.Uniform u) {
        return new Scale(u.low(), u.high(), 0, 0, false);
      } else if (d instanceof Distribution.LogUniform u) {
        return new Scale(Math.log(u.low()), Math.log(u.high()), 0, 0, true);
      } else if (d instanceof Distribution.IntUniform u) {
        return new Scale(-0.5, u.high() - u.low() + 0.5, u.low(), 1, false);
      } else if (d instanceof Distribution.QInt q) {
        return new Scale(-0.5, (q.high() - q.low()) / q.q() + 0.5, q.low(), q.q(), false);
      }
      throw new IllegalArgumentException(d + " has no numeric scale");
    }

    /** An observed value in this scale (values outside the range are clamped by the estimator). */
    double internal(double value) {
      if (log) {
        return value > 0 ? Math.log(value) : Double.NEGATIVE_INFINITY;
      }
      return step == 0 ? value : (value - offset) / step;
    }

    Object value(Distribution d, double x) {
      if (d instanceof Distribution.IntUniform || d instanceof Distribution.QInt) {
        long index = Math.round(Math.min(high - 0.5, Math.max(0, x)));
        return (int) (offset + step * index);
      }
      double v = Math.min(high, Math.max(low, x));
      return log ? Math.exp(v) : v;
    }
  }
}

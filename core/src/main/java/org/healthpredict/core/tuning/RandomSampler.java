package org.healthpredict.core.tuning;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Draws trial configurations at random from a search space with a seeded generator, so a seed names a
 * sequence of configurations: the family by weight, then each parameter in name order. Earlier results
 * are ignored.
 *
 * <p>Not thread-safe; {@link AshaScheduler} calls it under its own lock. {@link Random} is used
 * because its algorithm is specified, so a seed gives the same sequence on every JDK.
 */
public final class RandomSampler implements Sampler {

  private final List<FamilySpace> families;
  private final double[] cumulativeWeights;
  private final Random rng;

  public RandomSampler(SearchSpace space, long seed) {
    this.families = new ArrayList<>(space.families().values());
    this.cumulativeWeights = new double[families.size()];
    double sum = 0;
    for (int i = 0; i < families.size(); i++) {
      sum += families.get(i).weight();
      cumulativeWeights[i] = sum;
    }
    this.rng = new Random(seed);
  }

  @Override
  public TrialConfig next(int trialId, List<Observation> history) {
    return next();
  }

  /** The next configuration of the sequence. */
  public TrialConfig next() {
    double u = rng.nextDouble() * cumulativeWeights[cumulativeWeights.length - 1];
    int index = 0;
    while (index < cumulativeWeights.length - 1 && u >= cumulativeWeights[index]) {
      index++;
    }
    FamilySpace family = families.get(index);
    Map<String, Object> params = new LinkedHashMap<>();
    family.params().forEach((name, distribution) -> params.put(name, distribution.sample(rng)));
    return new TrialConfig(family.name(), params);
  }
}

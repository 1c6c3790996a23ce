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
  private final Random rng;

  public RandomSampler(SearchSpace space, long seed) {
    this.families = new ArrayList<>(space.families().values());
    this.rng = new Random(seed);
  }

  @Override
  public TrialConfig next(int trialId, List<Observation> history) {
    return next();
  }

  /** The next configuration of the sequence. */
  public TrialConfig next() {
    return draw(families, rng);
  }

  /** One random configuration: a family by weight, then each of its parameters in name order. */
  static TrialConfig draw(List<FamilySpace> families, Random rng) {
    double total = 0;
    for (FamilySpace f : families) {
      total += f.weight();
    }
    double u = rng.nextDouble() * total;
    int index = 0;
    for (double acc = families.get(0).weight(); index < families.size() - 1 && u >= acc;
        acc += families.get(++index).weight()) {
      // advance to the family whose cumulative weight passes u
    }
    FamilySpace family = families.get(index);
    Map<String, Object> params = new LinkedHashMap<>();
    family.params().forEach((name, distribution) -> params.put(name, distribution.sample(rng)));
    return new TrialConfig(family.name(), params);
  }
}

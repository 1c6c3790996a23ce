package org.healthpredict.core.sweep;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.spark.ml.param.Params;
import org.healthpredict.core.training.Classifiers;
import org.healthpredict.core.tuning.Distribution;
import org.healthpredict.core.tuning.FamilySpace;
import org.healthpredict.core.tuning.SearchSpace;
import org.healthpredict.core.tuning.TrialConfig;

/**
 * Each family's MLlib defaults as a configuration of the search space: the sweep's starting points
 * ("points to evaluate"), trained first at the family's full resource, so the sweep never ends below
 * the untuned model on its own criterion. A default may lie outside the space's range (MLlib's
 * regParam 0.0 below a log-uniform range); it is evaluated as it is.
 */
public final class FamilyDefaults {

  private FamilyDefaults() {}

  /** One configuration per family of the space, in the space's order; families with a parameter that has no default are left out. */
  public static List<TrialConfig> of(SearchSpace space, long seed) {
    List<TrialConfig> out = new ArrayList<>();
    for (FamilySpace family : space.families().values()) {
      Params classifier = Classifiers.create(family.name(), Map.of(), seed);
      Map<String, Object> values = new LinkedHashMap<>();
      try {
        family.params().forEach((name, distribution) ->
            values.put(name, typed(distribution, classifier.getOrDefault(classifier.getParam(name)))));
      } catch (NoSuchElementException noDefault) {
        continue;
      }
      out.add(new TrialConfig(family.name(), values));
    }
    return out;
  }

  /** The default as the type the distribution draws, so it prints and replays like a sampled value. */
  private static Object typed(Distribution distribution, Object value) {
    if (distribution instanceof Distribution.IntUniform || distribution instanceof Distribution.QInt) {
      return ((Number) value).intValue();
    }
    if (distribution instanceof Distribution.Uniform || distribution instanceof Distribution.LogUniform) {
      return ((Number) value).doubleValue();
    }
    return value;
  }
}

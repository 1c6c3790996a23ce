package org.healthpredict.core.tuning;

import java.util.Map;
import java.util.TreeMap;

/**
 * Work the scheduler hands a free worker: train this trial's configuration with this much of its
 * family's resource, then report the metric at this rung.
 */
public record Job(int trialId, TrialConfig config, int rung, double resource, ResourceSpec resourceSpec) {

  /** The same trial at the rung it was promoted to. */
  public Job continueAt(Decision.Continue next) {
    return new Job(trialId, config, next.rung(), next.resource(), resourceSpec);
  }

  /** The sampled parameters plus the resource parameter (e.g. maxIter=15) for iterations and trees. */
  public Map<String, Object> classifierParams() {
    Map<String, Object> out = new TreeMap<>(config.params());
    if (resourceSpec.kind().integral()) {
      out.put(resourceSpec.param(), (int) resource);
    }
    return out;
  }

  /** The fraction of training rows to fit on: the resource for kind rows, else all rows. */
  public double rowFraction() {
    return resourceSpec.kind() == ResourceSpec.Kind.ROWS ? resource : 1.0;
  }
}

package org.healthpredict.core.tuning;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One classifier family's part of a search space: its parameters' distributions, its ASHA resource,
 * and how often the sampler picks it relative to the other families.
 *
 * @param name {@code lr}, {@code rf}, {@code gbt}, or an MLlib classifier's class name, kept as written
 * @param params distributions by Spark ML parameter name, in name order
 */
public record FamilySpace(String name, double weight, ResourceSpec resource, Map<String, Distribution> params) {

  public FamilySpace {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(resource, "resource");
    if (!(weight > 0) || Double.isInfinite(weight)) {
      throw new IllegalArgumentException("family " + name + ": weight must be a positive number, found " + weight);
    }
    params = Collections.unmodifiableMap(new TreeMap<>(params));
  }
}

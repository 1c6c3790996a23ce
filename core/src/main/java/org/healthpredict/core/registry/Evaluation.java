package org.healthpredict.core.registry;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A model's metrics on one named test set, the input of {@link PromotionGate}.
 *
 * @param testSet identifies the rows the metrics were computed on (e.g. the split manifest's test
 *     digest); the gate refuses to compare metrics from different test sets
 * @param metrics metric name → value, e.g. {@code test_pr_auc → 0.21}
 */
public record Evaluation(String testSet, Map<String, Double> metrics) {

  public Evaluation {
    if (testSet == null || testSet.isBlank()) {
      throw new IllegalArgumentException("an evaluation needs the test set it was computed on");
    }
    metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
  }
}

package org.healthpredict.core.registry;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@link PromotionGate} decided about a candidate, with the reason a person reads and the
 * metrics it compared (kept for the version tags and the audit log).
 *
 * @param metric the metric the verdict turned on (the primary metric, or the floor that failed)
 * @param championMetrics the champion's metrics on the same test set; empty when there is none
 */
public record GateDecision(Verdict verdict, String metric, String reason,
    Map<String, Double> candidateMetrics, Map<String, Double> championMetrics) {

  /** Promote the candidate to champion, or keep the champion. */
  public enum Verdict { PROMOTE, REJECT }

  public GateDecision {
    candidateMetrics = Collections.unmodifiableMap(new LinkedHashMap<>(candidateMetrics));
    championMetrics = Collections.unmodifiableMap(new LinkedHashMap<>(championMetrics));
  }

  public boolean promotes() {
    return verdict == Verdict.PROMOTE;
  }
}

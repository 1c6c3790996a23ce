package org.healthpredict.serving.model;

import java.time.Instant;
import java.util.Map;
import org.healthpredict.serving.scoring.RecordScorer;

/**
 * A model ready to answer requests: its scorer plus what {@code GET /model} and every prediction
 * report about it.
 *
 * @param uri the URI it was loaded from, e.g. {@code models:/health-predict@champion}
 * @param name registered model name ("directory" or "run" for other URIs)
 * @param version registered version (the path or run id for other URIs)
 * @param threshold probability at or above which an encounter is labelled a readmission
 */
public record LoadedModel(String uri, String name, String version, String runId, Map<String, Double> metrics,
    double threshold, String family, Instant loadedAt, RecordScorer scorer) {

  public LoadedModel {
    metrics = Map.copyOf(metrics);
  }

  /** How the scorer works, e.g. "rf: 100 trees, flat evaluator after 7 feature stages". */
  public String scorerDescription() {
    return scorer.describe();
  }

  /** The decision for a probability: 1 (readmission within 30 days) at or above the threshold. */
  public int label(double probability) {
    return probability >= threshold ? 1 : 0;
  }
}

package org.healthpredict.serving;

import java.util.ArrayList;
import java.util.List;
import org.healthpredict.serving.input.ScoringRequest;
import org.healthpredict.serving.metrics.ServingMetrics;
import org.healthpredict.serving.model.LoadedModel;
import org.healthpredict.serving.model.ModelSlots;
import org.healthpredict.serving.traffic.AbMode;
import org.healthpredict.serving.traffic.TrafficRouter;
import org.healthpredict.serving.traffic.Variant;

/**
 * Scores validated records with the serving models: picks the variant per record, scores, labels
 * at the answering model's threshold, and counts the outcome. In shadow mode the challenger scores
 * every record too, for its metrics only.
 */
public final class Predictor {

  /** One answered record. */
  public record Prediction(double probability, int label, Variant variant, LoadedModel model) {}

  private final TrafficRouter router;
  private final ServingMetrics metrics;

  public Predictor(TrafficRouter router, ServingMetrics metrics) {
    this.router = router;
    this.metrics = metrics;
  }

  /** Scores with one snapshot of the serving models, taken by the caller at the request's start. */
  public Prediction predict(ModelSlots.Serving serving, ScoringRequest request) {
    LoadedModel challenger = serving.challenger();
    Variant variant = challenger == null ? Variant.CHAMPION : router.answering(request.patientKey());
    LoadedModel answering = variant == Variant.CHALLENGER ? challenger : serving.champion();
    double p = answering.scorer().probability(request.typed());
    int label = answering.label(p);
    metrics.prediction(variant, label, p);
    if (challenger != null && router.mode() == AbMode.SHADOW) {
      double shadow = challenger.scorer().probability(request.typed());
      metrics.prediction(Variant.CHALLENGER, challenger.label(shadow), shadow);
    }
    return new Prediction(p, label, variant, answering);
  }

  public List<Prediction> predictAll(ModelSlots.Serving serving, List<ScoringRequest> requests) {
    List<Prediction> out = new ArrayList<>(requests.size());
    for (ScoringRequest r : requests) {
      out.add(predict(serving, r));
    }
    return out;
  }
}

package org.healthpredict.serving.metrics;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.healthpredict.serving.model.LoadedModel;
import org.healthpredict.serving.model.ModelSlots;
import org.healthpredict.serving.traffic.Variant;

/**
 * The service's Prometheus metrics. Names follow Prometheus conventions ({@code _total} counters,
 * {@code _seconds} durations); labels are bounded (route patterns, status codes, two variants,
 * two labels) so cardinality cannot grow with traffic.
 */
public final class ServingMetrics {

  /** Latency buckets from 100 µs to 10 s: the row path lives in the first ones, transform in the middle. */
  private static final double[] LATENCY_BUCKETS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
      0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter requests;
  private final Histogram latency;
  private final Counter predictions;
  private final Histogram scores;
  private final Gauge modelLoaded;
  private final Gauge modelInfo;
  private final Counter reloads;
  /** By variant ordinal, then label. */
  private final CounterDataPoint[][] predictionCounts;
  private final DistributionDataPoint[] scoreHistograms;
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

  public ServingMetrics() {
    requests = Counter.builder().name("hp_requests_total").help("HTTP requests by route, status and variant")
        .labelNames("route", "status", "variant").register(registry);
    latency = Histogram.builder().name("hp_request_duration_seconds").help("HTTP request latency by route and status")
        .labelNames("route", "status").classicOnly().classicUpperBounds(LATENCY_BUCKETS).register(registry);
    predictions = Counter.builder().name("hp_predictions_total").help("Records scored, by predicted label and variant")
        .labelNames("label", "variant").register(registry);
    scores = Histogram.builder().name("hp_score").help("Predicted readmission probabilities, by variant")
        .labelNames("variant").classicOnly().classicLinearUpperBounds(0.05, 0.05, 20).register(registry);
    modelLoaded = Gauge.builder().name("hp_model_loaded").help("1 when a champion model is loaded and serving")
        .register(registry);
    modelInfo = Gauge.builder().name("hp_model_info").help("The model versions serving (value 1), by variant")
        .labelNames("variant", "name", "version", "family").register(registry);
    reloads = Counter.builder().name("hp_model_reloads_total").help("Model reload attempts by outcome")
        .labelNames("outcome").register(registry);
    JvmMetrics.builder().register(registry);
    // Every record of a batch is counted: resolve the few label combinations once, not per record.
    Variant[] variants = Variant.values();
    predictionCounts = new CounterDataPoint[variants.length][2];
    scoreHistograms = new DistributionDataPoint[variants.length];
    for (Variant v : variants) {
      predictionCounts[v.ordinal()][0] = predictions.labelValues("0", v.label());
      predictionCounts[v.ordinal()][1] = predictions.labelValues("1", v.label());
      scoreHistograms[v.ordinal()] = scores.labelValues(v.label());
    }
  }

  public void request(String route, int status, String variant, double seconds) {
    String code = Integer.toString(status);
    requests.labelValues(route, code, variant).inc();
    latency.labelValues(route, code).observe(seconds);
  }

  public void prediction(Variant variant, int label, double probability) {
    predictionCounts[variant.ordinal()][label == 1 ? 1 : 0].inc();
    scoreHistograms[variant.ordinal()].observe(probability);
  }

  public void reload(String outcome) {
    reloads.labelValues(outcome).inc();
  }

  /** Publishes which models serve now; called after every load or swap. */
  public void models(ModelSlots.Serving serving) {
    modelInfo.clear();
    if (serving == null) {
      modelLoaded.set(0);
      return;
    }
    modelLoaded.set(1);
    info(Variant.CHAMPION, serving.champion());
    serving.challengerIfAny().ifPresent(c -> info(Variant.CHALLENGER, c));
  }

  private void info(Variant variant, LoadedModel m) {
    modelInfo.labelValues(variant.label(), m.name(), m.version(), m.family()).set(1);
  }

  public String contentType() {
    return writer.getContentType();
  }

  /** The Prometheus text exposition of every metric. */
  public byte[] scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
    try {
      writer.write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}

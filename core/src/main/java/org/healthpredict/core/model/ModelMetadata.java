package org.healthpredict.core.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.healthpredict.core.features.ModelFamily;

/**
 * What a scorer or auditor needs to know about a fitted model beyond its stages: the decision
 * threshold chosen on validation, the data it was trained on, its metrics and features, and the
 * Spark and model family that produced it.
 *
 * @param decisionThreshold probability at or above which an encounter is labelled a readmission
 * @param trainingDataJson the training data's manifest (e.g. the split manifest), as JSON
 * @param metrics validation (and test) metrics by name, e.g. {@code val_roc_auc}
 * @param features the feature columns the classifier sees, in assembly order
 * @param sparkVersion the Spark version that fitted and saved the model
 * @param modelFamily the classifier family
 */
public record ModelMetadata(
    double decisionThreshold,
    String trainingDataJson,
    Map<String, Double> metrics,
    List<String> features,
    String sparkVersion,
    ModelFamily modelFamily) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public ModelMetadata {
    if (!(decisionThreshold >= 0.0 && decisionThreshold <= 1.0)) {
      throw new IllegalArgumentException("decision threshold must be a probability in [0, 1], got "
          + decisionThreshold);
    }
    Objects.requireNonNull(trainingDataJson, "trainingDataJson");
    // Stored as a JSON object in the model directory; normalising here makes a written and
    // re-read metadata equal to the original.
    trainingDataJson = compact(trainingDataJson);
    metrics.forEach((name, value) -> {
      if (value == null || !Double.isFinite(value)) {
        // JSON has no NaN or infinity; a metric that cannot be stored must not vanish silently.
        throw new IllegalArgumentException("metric '" + name + "' must be a finite number, got " + value);
      }
    });
    metrics = Map.copyOf(metrics);
    features = List.copyOf(features);
    if (sparkVersion == null || sparkVersion.isBlank()) {
      throw new IllegalArgumentException("spark version is required");
    }
    Objects.requireNonNull(modelFamily, "modelFamily");
  }

  /** The training data manifest as a JSON tree. */
  public JsonNode trainingData() {
    return parse(trainingDataJson);
  }

  /** The metadata as the JSON object written to {@code health_predict.json} and the MLmodel's metadata. */
  Map<String, Object> toMap() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("model_family", modelFamily.name().toLowerCase());
    out.put("decision_threshold", decisionThreshold);
    out.put("spark_version", sparkVersion);
    out.put("features", features);
    out.put("metrics", new java.util.TreeMap<>(metrics));
    out.put("training_data", trainingData());
    return out;
  }

  /** Reads what {@link #toMap()} wrote; {@code source} names the file in error messages. */
  static ModelMetadata fromJson(JsonNode node, String source) {
    try {
      Map<String, Double> metrics = new LinkedHashMap<>();
      required(node, "metrics", source).fields()
          .forEachRemaining(e -> metrics.put(e.getKey(), e.getValue().asDouble()));
      List<String> features = new java.util.ArrayList<>();
      required(node, "features", source).forEach(f -> features.add(f.asText()));
      String family = required(node, "model_family", source).asText();
      return new ModelMetadata(
          required(node, "decision_threshold", source).asDouble(),
          JSON.writeValueAsString(required(node, "training_data", source)),
          metrics,
          features,
          required(node, "spark_version", source).asText(),
          ModelFamily.valueOf(family.toUpperCase()));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot re-serialise training_data of " + source, e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid model metadata in " + source + ": " + e.getMessage(), e);
    }
  }

  private static JsonNode required(JsonNode node, String field, String source) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      throw new IllegalArgumentException("field '" + field + "' is missing");
    }
    return value;
  }

  private static String compact(String json) {
    try {
      return JSON.writeValueAsString(parse(json));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot re-serialise the training data manifest", e);
    }
  }

  private static JsonNode parse(String json) {
    try {
      JsonNode node = JSON.readTree(json);
      if (node == null || !node.isObject()) {
        throw new IllegalArgumentException("training data manifest must be a JSON object, got: "
            + abbreviate(json));
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("training data manifest is not valid JSON: "
          + e.getOriginalMessage(), e);
    }
  }

  private static String abbreviate(String text) {
    return text.length() <= 80 ? text : text.substring(0, 80) + "…";
  }
}

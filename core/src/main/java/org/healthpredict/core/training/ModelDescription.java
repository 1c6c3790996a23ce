package org.healthpredict.core.training;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.healthpredict.core.evaluation.BinaryMetrics;
import org.healthpredict.core.features.FeaturePipeline;
import org.healthpredict.core.features.ModelFamily;
import org.healthpredict.core.model.InputExample;
import org.healthpredict.core.model.ModelMetadata;
import org.healthpredict.core.split.SplitManifest;

/**
 * What a logged model says about itself (threshold, training data, metrics, features) and a real
 * input record, built the same way by `train` and `tune` so both write identical model directories.
 */
public final class ModelDescription {

  private ModelDescription() {}

  /**
   * Metadata for a model of a known family; empty for a classifier named by class, which the
   * metadata format cannot name (its model is still logged, without metadata).
   */
  public static Optional<ModelMetadata> metadata(String family, BinaryMetrics validation, SplitManifest manifest,
      String sparkVersion) {
    Optional<ModelFamily> known = Classifiers.knownFamily(family);
    if (known.isEmpty()) {
      return Optional.empty();
    }
    Map<String, Double> metrics = new LinkedHashMap<>();
    validation.asMap("val_").forEach((k, v) -> {
      if (Double.isFinite(v)) {
        metrics.put(k, v);
      }
    });
    List<String> features = new ArrayList<>(FeaturePipeline.numericFeatures());
    features.addAll(FeaturePipeline.categoricalFeatures());
    return Optional.of(new ModelMetadata(validation.threshold(), manifest.toJson(), metrics, features, sparkVersion,
        known.get()));
  }

  /** The first validation record, without its labels: a real example of what the model takes. */
  public static InputExample example(Dataset<Row> validation) {
    return InputExample.of(validation.select(
        org.healthpredict.core.model.ModelInput.columns().stream().map(org.apache.spark.sql.functions::col)
            .toArray(org.apache.spark.sql.Column[]::new)).first());
  }
}

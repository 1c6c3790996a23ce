package org.healthpredict.core.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Row;
import org.healthpredict.core.data.RawSchema;
import org.healthpredict.core.evaluation.BinaryEvaluation;
import org.healthpredict.core.evaluation.BinaryMetrics;
import org.healthpredict.core.features.FeaturePipeline;
import org.healthpredict.core.features.ModelFamily;
import org.healthpredict.core.testing.SampleData;
import org.healthpredict.core.training.Classifiers;

/** One small fitted model per JVM, with real metadata and a real input record, for the model-format tests. */
final class MlflowModelFixture {

  static final String MANIFEST = "{\"schemaVersion\": 1, \"input\": {\"uri\": \"data/sample/diabetic_data_sample.csv\","
      + " \"sha256\": \"40de59eff2292ce682add444b37f36a4279cfc392d5bac3b40d862fca8d6393a\"},"
      + " \"parts\": {\"train\": {\"rows\": 4908}}}";

  private static PipelineModel model;
  private static ModelMetadata metadata;
  private static Row record;

  private MlflowModelFixture() {}

  static synchronized PipelineModel model() {
    if (model == null) {
      model = FeaturePipeline.pipeline(ModelFamily.GBT,
          Classifiers.create(ModelFamily.GBT, Map.of("maxIter", "5"), 42)).fit(SampleData.typed());
      BinaryMetrics metrics = BinaryEvaluation.evaluate(model.transform(SampleData.typed()), RawSchema.TARGET,
          "probability");
      metadata = new ModelMetadata(metrics.threshold(), MANIFEST, metrics.asMap("val_"),
          features(), MlflowModelWriter.runningSparkVersion(), ModelFamily.GBT);
    }
    return model;
  }

  static synchronized ModelMetadata metadata() {
    model();
    return metadata;
  }

  static List<String> features() {
    List<String> features = new ArrayList<>(FeaturePipeline.numericFeatures());
    features.addAll(FeaturePipeline.categoricalFeatures());
    return features;
  }

  /** The sample's first encounter: a real, validated record with the label columns still on it. */
  static synchronized Row record() {
    if (record == null) {
      record = SampleData.typed().orderBy(RawSchema.ENCOUNTER_ID).first();
    }
    return record;
  }
}

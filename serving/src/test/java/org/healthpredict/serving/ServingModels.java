package org.healthpredict.serving;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.healthpredict.core.data.RawSchema;
import org.healthpredict.core.evaluation.BinaryEvaluation;
import org.healthpredict.core.evaluation.BinaryMetrics;
import org.healthpredict.core.features.FeaturePipeline;
import org.healthpredict.core.features.ModelFamily;
import org.healthpredict.core.model.InputExample;
import org.healthpredict.core.model.MlflowModel;
import org.healthpredict.core.model.MlflowModelWriter;
import org.healthpredict.core.model.ModelMetadata;
import org.healthpredict.core.registry.ModelRegistry;
import org.healthpredict.core.registry.ModelVersion;
import org.healthpredict.core.testing.SampleData;
import org.healthpredict.core.tracking.TrackedRun;
import org.healthpredict.core.tracking.Tracking;
import org.healthpredict.core.training.ModelArtifacts;
import org.healthpredict.core.training.Classifiers;
import org.healthpredict.serving.model.LoadedModel;
import org.healthpredict.serving.scoring.RowScorer;

/**
 * Real fitted models for the service tests, once per JVM: a logistic regression (the champion in
 * most tests) and a small GBT (the challenger), fitted on the bundled sample, plus the sample's
 * encounters as JSON request bodies.
 */
public final class ServingModels {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static PipelineModel lr;
  private static PipelineModel gbt;
  private static PipelineModel referenceForest;
  private static List<ObjectNode> records;

  private ServingModels() {}

  public static synchronized PipelineModel lr() {
    if (lr == null) {
      lr = FeaturePipeline.pipeline(ModelFamily.LR,
          Classifiers.create(ModelFamily.LR, Map.of("maxIter", "20", "regParam", "0.01"), 7)).fit(SampleData.typed());
    }
    return lr;
  }

  public static synchronized PipelineModel gbt() {
    if (gbt == null) {
      gbt = FeaturePipeline.pipeline(ModelFamily.GBT,
          Classifiers.create(ModelFamily.GBT, Map.of("maxIter", "5", "maxDepth", "3"), 7)).fit(SampleData.typed());
    }
    return gbt;
  }

  /** The benchmarks' reference forest: 100 trees of depth 8 behind the feature pipeline, fitted on the sample. */
  public static synchronized PipelineModel referenceForest() {
    if (referenceForest == null) {
      referenceForest = FeaturePipeline.pipeline(ModelFamily.RF, Classifiers.create(ModelFamily.RF,
          Map.of("numTrees", "100", "maxDepth", "8"), 42)).fit(SampleData.typed());
    }
    return referenceForest;
  }

  /** A model ready to serve under a name and version, scored by the row scorer. */
  public static LoadedModel loaded(String version, PipelineModel model, double threshold, String family) {
    return new LoadedModel("models:/HealthPredict/" + version, "HealthPredict", version, "run-" + version,
        Map.of("val_pr_auc", 0.25), threshold, family, Instant.now(), RowScorer.of(model));
  }

  /** The model written as an MLflow model directory with real metadata, as `train` logs it. */
  public static Path writeDirectory(Path parent, PipelineModel model, ModelFamily family) throws Exception {
    Path dir = Files.createDirectories(parent).resolve("model-" + family.name().toLowerCase());
    BinaryMetrics metrics = BinaryEvaluation.evaluate(model.transform(SampleData.typed()), RawSchema.TARGET,
        "probability");
    List<String> features = new ArrayList<>(FeaturePipeline.numericFeatures());
    features.addAll(FeaturePipeline.categoricalFeatures());
    ModelMetadata metadata = new ModelMetadata(metrics.threshold(), "{\"data\": \"sample\"}", metrics.asMap("val_"),
        features, SampleData.typed().sparkSession().version(), family);
    new MlflowModelWriter().write(dir, model, metadata, InputExample.of(SampleData.typed().first()));
    return dir;
  }

  /** The sample's encounters in encounter order, as request bodies keyed by column name. */
  public static synchronized List<ObjectNode> records() {
    if (records == null) {
      List<ObjectNode> out = new ArrayList<>();
      StructField[] fields = RawSchema.typedSchema().fields();
      for (Row row : SampleData.typed().orderBy(RawSchema.ENCOUNTER_ID).limit(500).collectAsList()) {
        ObjectNode r = JSON.createObjectNode();
        for (int i = 0; i < fields.length; i++) {
          Object v = row.get(i);
          String name = fields[i].name();
          if (v == null) {
            r.putNull(name);
          } else if (v instanceof Long l) {
            r.put(name, l);
          } else if (v instanceof Integer n) {
            r.put(name, n);
          } else {
            r.put(name, v.toString());
          }
        }
        out.add(r);
      }
      records = List.copyOf(out);
    }
    return records;
  }

  /** Logs the model as a run's artifact in MLflow and registers it as a new version of {@code name}. */
  public static ModelVersion register(Tracking tracking, ModelRegistry registry, String name, PipelineModel model,
      Path dir, String runName) throws Exception {
    return register(tracking, registry, name, model, model == lr() ? ModelFamily.LR : ModelFamily.GBT, dir, runName);
  }

  /** As {@link #register(Tracking, ModelRegistry, String, PipelineModel, Path, String)}, for a model of any family. */
  public static ModelVersion register(Tracking tracking, ModelRegistry registry, String name, PipelineModel model,
      ModelFamily family, Path dir, String runName) throws Exception {
    MlflowModel written = MlflowModel.load(writeDirectory(dir, model, family));
    String runId;
    try (TrackedRun run = tracking.experiment("serving-tests").startRun(runName)) {
      ModelArtifacts.log(run, model, written.metadata().orElseThrow(), InputExample.of(SampleData.typed().first()));
      run.finish();
      runId = run.runId();
    }
    return registry.createVersion(name, runId);
  }

  /** A fresh copy of one sample record, to modify. */
  public static ObjectNode record(int i) {
    return records().get(i).deepCopy();
  }
}

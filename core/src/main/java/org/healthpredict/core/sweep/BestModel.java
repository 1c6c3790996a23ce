package org.healthpredict.core.sweep;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.classification.ProbabilisticClassifier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.healthpredict.core.data.RawSchema;
import org.healthpredict.core.evaluation.BinaryEvaluation;
import org.healthpredict.core.evaluation.BinaryMetrics;
import org.healthpredict.core.features.FeatureFit;
import org.healthpredict.core.features.FeaturePipeline;
import org.healthpredict.core.features.ModelFamily;
import org.healthpredict.core.tracking.TrackedRun;
import org.healthpredict.core.training.Classifiers;
import org.healthpredict.core.training.ModelArtifacts;
import org.healthpredict.core.training.ModelDescription;
import org.healthpredict.core.training.TrainingData;
import org.healthpredict.core.tuning.Job;
import org.healthpredict.core.tuning.ResourceSpec;
import org.healthpredict.core.tuning.TrialEvent;
import org.healthpredict.core.tuning.TrialStatus;

/**
 * The sweep's winner as a deployable artifact: one PipelineModel (feature stages fitted on the same
 * rows + classifier at the full resource), evaluated on the held-out test split and logged as the
 * parent run's {@code model}. The model the winning trial trained at R is used as it is when this
 * driver holds it; it is refitted only for {@code --refit-with-validation} (other rows) or when the
 * trial completed under a driver that died before a resume.
 */
final class BestModel {

  private final SparkSession spark;
  private final TrainingData data;
  private final SweepSettings settings;
  private final Consumer<String> progress;

  BestModel(SparkSession spark, TrainingData data, SweepSettings settings, Consumer<String> progress) {
    this.spark = spark;
    this.data = data;
    this.settings = settings;
    this.progress = progress;
  }

  /** The sweep's model with its validation and test metrics. */
  public record Evaluated(PipelineModel model, BinaryMetrics validation, BinaryMetrics test) {}

  Evaluated logBest(TrackedRun parent, TrialStatus trial, TrialEvent.Result best, ResourceSpec resource,
      Optional<PipelineModel> trainedAtR) {
    String family = trial.config().family();
    // The parameters the winner completed with, its resource (e.g. maxIter) at the family's R included.
    Job atR = new Job(trial.id(), trial.config(), best.rung(), best.resource(), resource);
    Map<String, Object> params = new LinkedHashMap<>(atR.classifierParams());
    Dataset<Row> validation = data.validation();
    PipelineModel model;
    if (trainedAtR.isPresent() && !settings.refitWithValidation()) {
      // The configuration, seed and train rows a refit would use; only the compute would be repeated.
      progress.accept("using trial " + trial.id() + "'s model from its run at R (trained on train), no refit");
      model = trainedAtR.get();
    } else {
      model = refit(family, params, validation);
    }
    BinaryMetrics onValidation = BinaryEvaluation.evaluate(model.transform(validation), RawSchema.TARGET, "probability");
    BinaryMetrics onTest = BinaryEvaluation.evaluate(model.transform(data.test()), RawSchema.TARGET, "probability");

    Map<String, Object> logged = new LinkedHashMap<>();
    logged.put("best.trial_id", trial.id());
    logged.put("best.model_family", family);
    params.forEach((k, v) -> logged.put("best." + k, v));
    parent.logParams(logged);
    parent.logMetric("best_" + settings.metric().metricName(), best.metric());
    parent.logMetrics(onValidation.asMap("model_val_"), 0);
    parent.logMetrics(onTest.asMap("test_"), 0);
    var metadata = ModelDescription.metadata(family, onValidation, data.manifest(), spark.version());
    if (metadata.isPresent()) {
      ModelArtifacts.log(parent, model, metadata.get(), ModelDescription.example(validation));
    } else {
      ModelArtifacts.log(parent, model);
    }
    progress.accept(String.format("sweep model: test %s %.4f, test roc_auc %.4f; logged as artifact 'model'",
        settings.metric().metricName().replace("val_", ""), settings.metric().of(onTest), onTest.rocAuc()));
    return new Evaluated(model, onValidation, onTest);
  }

  private PipelineModel refit(String family, Map<String, Object> params, Dataset<Row> validation) {
    ProbabilisticClassifier<?, ?, ?> classifier = Classifiers.create(family, params, settings.seed());
    ModelFamily stagesFor = Classifiers.needsScaling(family) ? ModelFamily.LR : ModelFamily.GBT;
    Dataset<Row> fitOn = settings.refitWithValidation() ? data.train().union(validation) : data.train();
    progress.accept("refitting the best configuration on " + (settings.refitWithValidation() ? "train + validation" : "train"));
    return FeatureFit.fit(FeaturePipeline.pipeline(stagesFor, classifier), fitOn);
  }

}

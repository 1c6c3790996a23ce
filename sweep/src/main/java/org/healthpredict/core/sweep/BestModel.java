package org.healthpredict.core.sweep;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.classification.ProbabilisticClassifier;
import org.apache.spark.sql.SparkSession;
import org.healthpredict.core.data.RawSchema;
import org.healthpredict.core.evaluation.BinaryEvaluation;
import org.healthpredict.core.evaluation.BinaryMetrics;
import org.healthpredict.core.evaluation.DecisionThreshold;
import org.healthpredict.core.evaluation.ScoredPairs;
import org.healthpredict.core.tracking.TrackedRun;
import org.healthpredict.core.training.Classifiers;
import org.healthpredict.core.training.ModelArtifacts;
import org.healthpredict.core.training.ModelDescription;
import org.healthpredict.core.training.TrainingData;
import org.healthpredict.core.tuning.Job;
import org.healthpredict.core.tuning.TrialEvent;

/**
 * The sweep's winner as a deployable artifact: its configuration at the full resource refitted on
 * every row the sweep learned from (train and validation), its decision threshold chosen on the
 * winner's pooled out-of-fold predictions, then scored once on the held-out test rows, and logged as
 * the parent run's {@code model}.
 */
final class BestModel {

  private final SparkSession spark;
  private final TrainingData input;
  private final SweepSettings settings;
  private final Consumer<String> progress;

  BestModel(SparkSession spark, TrainingData input, SweepSettings settings, Consumer<String> progress) {
    this.spark = spark;
    this.input = input;
    this.settings = settings;
    this.progress = progress;
  }

  /**
   * The sweep's model, its cross-validated metrics (pooled out-of-fold predictions, with the chosen
   * threshold's precision and recall) and its test metrics.
   */
  public record Evaluated(PipelineModel model, BinaryMetrics crossValidated, BinaryMetrics test,
      DecisionThreshold threshold) {}

  Evaluated logBest(TrackedRun parent, FeaturisedData data, Job atR, TrialEvent.Result best, ScoredPairs outOfFold) {
    String family = atR.config().family();
    Map<String, Object> params = new LinkedHashMap<>(atR.classifierParams());
    ProbabilisticClassifier<?, ?, ?> classifier = Classifiers.create(family, params, settings.seed());
    classifier.set(classifier.getParam("featuresCol"), FeaturisedData.featuresColumn(family));
    progress.accept("refitting trial " + atR.trialId() + " at the full resource on all "
        + data.all().count() + " rows (train + validation)");
    PipelineModel model = data.assemble(family, classifier.fit(data.all()));

    DecisionThreshold threshold = settings.targetRecall() == null ? DecisionThreshold.maxF1(outOfFold)
        : DecisionThreshold.forRecall(outOfFold, settings.targetRecall());
    BinaryMetrics crossValidated = threshold.applyTo(outOfFold.metrics());
    ScoredPairs testPairs = BinaryEvaluation.collect(model.transform(input.test()), RawSchema.TARGET, "probability");
    DecisionThreshold onTest = DecisionThreshold.at(testPairs, threshold.threshold(), threshold.rule());
    BinaryMetrics test = onTest.applyTo(testPairs.metrics());

    Map<String, Object> logged = new LinkedHashMap<>();
    logged.put("best.trial_id", atR.trialId());
    logged.put("best.model_family", family);
    params.forEach((k, v) -> logged.put("best." + k, v));
    logged.put("threshold_rule", threshold.rule());
    parent.logParams(logged);
    parent.logMetric("best_" + settings.metric().metricName(), best.metric());
    if (!Double.isNaN(best.score().standardError())) {
      parent.logMetric("best_" + settings.metric().metricName() + "_se", best.score().standardError());
    }
    parent.logMetrics(crossValidated.asMap("cv_"), 0);
    parent.logMetrics(test.asMap("test_"), 0);
    var metadata = ModelDescription.metadata(family, crossValidated, input.manifest(), spark.version());
    if (metadata.isPresent()) {
      ModelArtifacts.log(parent, model, metadata.get(), ModelDescription.example(input.validation()));
    } else {
      ModelArtifacts.log(parent, model);
    }
    progress.accept(String.format("decision threshold %.4f (%s on out-of-fold predictions): precision %.3f, recall %.3f;"
        + " on test: precision %.3f, recall %.3f", threshold.threshold(), threshold.rule(), threshold.precision(),
        threshold.recall(), onTest.precision(), onTest.recall()));
    progress.accept(String.format("sweep model on %d test rows (%d positives), scored once: roc_auc %.4f, pr_auc %.4f,"
        + " log_loss %.4f; logged as artifact 'model'", test.rows(), test.positives(), test.rocAuc(), test.prAuc(),
        test.logLoss()));
    return new Evaluated(model, crossValidated, test, threshold);
  }
}

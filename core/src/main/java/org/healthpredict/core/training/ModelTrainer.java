package org.healthpredict.core.training;

import java.util.Map;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.classification.ProbabilisticClassifier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.healthpredict.core.data.RawSchema;
import org.healthpredict.core.evaluation.BinaryEvaluation;
import org.healthpredict.core.evaluation.BinaryMetrics;
import org.healthpredict.core.features.FeatureFit;
import org.healthpredict.core.features.FeaturePipeline;
import org.healthpredict.core.features.ModelFamily;

/** Fits the feature pipeline plus one classifier on train data and evaluates it on validation data. */
public final class ModelTrainer {

  /** A fitted model (feature stages + classifier, one artifact) and how it did on validation. */
  public record Trained(PipelineModel model, BinaryMetrics validation, Map<String, String> classifierParams,
      double fitSeconds) {}

  /** The classifier comes built (see {@link Classifiers#create}) so bad parameters fail before any work. */
  public Trained fitAndEvaluate(Dataset<Row> train, Dataset<Row> validation, ModelFamily family,
      ProbabilisticClassifier<?, ?, ?> classifier) {
    Pipeline pipeline = FeaturePipeline.pipeline(family, classifier);
    long start = System.nanoTime();
    PipelineModel model = FeatureFit.fit(pipeline, train);
    double fitSeconds = (System.nanoTime() - start) / 1e9;
    BinaryMetrics metrics = BinaryEvaluation.evaluate(model.transform(validation), RawSchema.TARGET, "probability");
    return new Trained(model, metrics, Classifiers.effectiveParams(classifier), fitSeconds);
  }
}

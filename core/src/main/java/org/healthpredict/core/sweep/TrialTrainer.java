package org.healthpredict.core.sweep;

import org.apache.spark.ml.classification.ProbabilisticClassificationModel;
import org.apache.spark.ml.classification.ProbabilisticClassifier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.healthpredict.core.data.RawSchema;
import org.healthpredict.core.evaluation.BinaryEvaluation;
import org.healthpredict.core.evaluation.BinaryMetrics;
import org.healthpredict.core.training.Classifiers;
import org.healthpredict.core.tuning.Job;

/**
 * Runs one ASHA job: fits the trial's classifier with the job's resource on the shared featurised
 * train data and scores it on the shared featurised validation data. MLlib has no warm start, so a
 * promoted trial is fitted again from scratch with the larger resource.
 */
public final class TrialTrainer {

  private final FeaturisedData data;
  private final long seed;

  public TrialTrainer(FeaturisedData data, long seed) {
    this.data = data;
    this.seed = seed;
  }

  /** A fitted classifier (features already prepared) and its validation metrics. */
  public record Fitted(ProbabilisticClassificationModel<?, ?> model, BinaryMetrics validation, double seconds) {}

  public Fitted fit(Job job) {
    String family = job.config().family();
    ProbabilisticClassifier<?, ?, ?> classifier = Classifiers.create(family, job.classifierParams(), seed);
    classifier.set(classifier.getParam("featuresCol"), FeaturisedData.featuresColumn(family));
    Dataset<Row> train = data.train();
    if (job.rowFraction() < 1.0) {
      // A fixed seed per trial: the same rows at every rung of it, a different subset per trial.
      train = train.sample(false, job.rowFraction(), seed + job.trialId());
    }
    long start = System.nanoTime();
    ProbabilisticClassificationModel<?, ?> model = (ProbabilisticClassificationModel<?, ?>) classifier.fit(train);
    BinaryMetrics metrics = BinaryEvaluation.evaluate(model.transform(data.validation()), RawSchema.TARGET,
        model.getProbabilityCol());
    return new Fitted(model, metrics, (System.nanoTime() - start) / 1e9);
  }
}

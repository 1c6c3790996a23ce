package org.healthpredict.core.sweep;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.ml.classification.GBTClassificationModel;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.classification.ProbabilisticClassificationModel;
import org.apache.spark.ml.classification.ProbabilisticClassifier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.healthpredict.core.data.RawSchema;
import org.healthpredict.core.evaluation.BinaryEvaluation;
import org.healthpredict.core.evaluation.BinaryMetrics;
import org.healthpredict.core.training.Classifiers;
import org.healthpredict.core.training.GbtWarmStart;
import org.healthpredict.core.tuning.Job;
import org.healthpredict.core.tuning.ResourceSpec;

/**
 * Runs one ASHA job: fits the trial's classifier with the job's resource on the shared featurised
 * train data and scores it on the shared featurised validation data.
 *
 * <p>A promoted GBT trial whose resource is its iterations continues from the trees of its previous
 * rung ({@link GbtWarmStart}: the same model as a fit from scratch, for the new iterations' price).
 * Other families have no exact warm start in MLlib and are fitted again from scratch.
 */
public final class TrialTrainer {

  private final FeaturisedData data;
  private final long seed;
  /** Each GBT trial's model at its last rung, until the trial ends ({@link #forget}). */
  private final Map<Integer, GBTClassificationModel> boostedSoFar = new ConcurrentHashMap<>();

  public TrialTrainer(FeaturisedData data, long seed) {
    this.data = data;
    this.seed = seed;
  }

  /**
   * A fitted classifier (features already prepared), its validation metrics, and how many of its
   * iterations an earlier rung of the trial had already fitted (0 unless a GBT was continued).
   */
  public record Fitted(ProbabilisticClassificationModel<?, ?> model, BinaryMetrics validation, double seconds,
      int iterationsReused) {}

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
    ProbabilisticClassificationModel<?, ?> model;
    int reused = 0;
    if (classifier instanceof GBTClassifier gbt && job.resourceSpec().kind() == ResourceSpec.Kind.ITERATIONS) {
      GBTClassificationModel previous = boostedSoFar.get(job.trialId());
      reused = previous == null ? 0 : previous.getNumTrees();
      GBTClassificationModel boosted = GbtWarmStart.fit(gbt, train, previous);
      boostedSoFar.put(job.trialId(), boosted);
      model = boosted;
    } else {
      model = (ProbabilisticClassificationModel<?, ?>) classifier.fit(train);
    }
    BinaryMetrics metrics = BinaryEvaluation.evaluate(model.transform(data.validation()), RawSchema.TARGET,
        model.getProbabilityCol());
    return new Fitted(model, metrics, (System.nanoTime() - start) / 1e9, reused);
  }

  /** The trial ended (completed, stopped or failed): its trees are not continued any more. */
  public void forget(int trialId) {
    boostedSoFar.remove(trialId);
  }
}

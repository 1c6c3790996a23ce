package org.healthpredict.core.sweep;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.ml.classification.GBTClassificationModel;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.classification.ProbabilisticClassificationModel;
import org.apache.spark.ml.classification.ProbabilisticClassifier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.healthpredict.core.data.RawSchema;
import org.healthpredict.core.evaluation.BinaryEvaluation;
import org.healthpredict.core.evaluation.BinaryMetrics;
import org.healthpredict.core.evaluation.DegenerateCheck;
import org.healthpredict.core.evaluation.ScoredPairs;
import org.healthpredict.core.training.Classifiers;
import org.healthpredict.core.training.GbtWarmStart;
import org.healthpredict.core.training.ModelSize;
import org.healthpredict.core.tuning.Job;
import org.healthpredict.core.tuning.ResourceSpec;
import org.healthpredict.core.tuning.RungScore;

/**
 * Runs one ASHA job: fits the trial's classifier with the job's resource on each of the first
 * {@code folds} cross-validation folds at once (one driver thread per fold, so the folds' Spark jobs run
 * side by side in the trial's pool), scores each on its held-out patients, and reduces them to a
 * {@link RungScore}: the mean and standard error over folds, whether the predictions are degenerate
 * ({@link DegenerateCheck}), and the fitted size.
 *
 * <p>A promoted GBT trial whose resource is its iterations continues each fold from that fold's trees
 * of the previous rung ({@link GbtWarmStart}: the same model as a fit from scratch, for the new
 * iterations' price). Other families have no exact warm start in MLlib and are fitted again.
 */
public final class TrialTrainer {

  private final FeaturisedData data;
  private final long seed;
  /** Each GBT trial's model per fold at its last rung, until the trial ends ({@link #forget}). */
  private final Map<String, GBTClassificationModel> boostedSoFar = new ConcurrentHashMap<>();

  public TrialTrainer(FeaturisedData data, long seed) {
    this.data = data;
    this.seed = seed;
  }

  /**
   * A rung's outcome: the score, each fold's metrics, the folds' held-out predictions pooled, the wall
   * time, and how many iterations earlier rungs had already fitted (0 unless a GBT was continued).
   */
  public record Fitted(RungScore score, List<BinaryMetrics> perFold, ScoredPairs outOfFold, double seconds,
      int iterationsReused) {}

  private record FoldFit(ScoredPairs heldOut, double size, int reused) {}

  /**
   * @param folds how many folds this rung evaluates (the first ones, so a rung's trials share them)
   * @param fullResource whether this is the family's top rung, where the chance rule also applies
   * @param metric the metric the score averages
   */
  public Fitted fit(Job job, int folds, boolean fullResource, SweepMetric metric) {
    long start = System.nanoTime();
    List<FoldFit> fits = new ArrayList<>();
    // Threads made here inherit the worker's Spark local properties (pool and job group).
    ExecutorService pool = Executors.newFixedThreadPool(folds, r -> {
      Thread t = new Thread(r, "trial-" + job.trialId() + "-fold");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<FoldFit>> pending = new ArrayList<>();
      for (int fold = 0; fold < folds; fold++) {
        int f = fold;
        pending.add(pool.submit(() -> fitFold(job, f)));
      }
      for (Future<FoldFit> p : pending) {
        fits.add(p.get());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("trial " + job.trialId() + " interrupted", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    } finally {
      pool.shutdownNow();
    }
    List<BinaryMetrics> perFold = fits.stream().map(f -> f.heldOut().metrics()).toList();
    ScoredPairs outOfFold = ScoredPairs.concat(fits.stream().map(FoldFit::heldOut).toList());
    boolean degenerate = fits.stream().anyMatch(f -> DegenerateCheck.nearConstant(f.heldOut()));
    if (fullResource) {
      double meanRoc = perFold.stream().mapToDouble(BinaryMetrics::rocAuc).average().orElse(0.5);
      long positives = outOfFold.positives();
      degenerate |= meanRoc <= DegenerateCheck.chanceBar(positives, outOfFold.size() - positives);
    }
    double size = fits.stream().mapToDouble(FoldFit::size).average().orElse(Double.NaN);
    RungScore score = RungScore.ofFolds(perFold.stream().mapToDouble(metric::of).toArray(), degenerate, size);
    return new Fitted(score, perFold, outOfFold, (System.nanoTime() - start) / 1e9,
        fits.stream().mapToInt(FoldFit::reused).sum());
  }

  private FoldFit fitFold(Job job, int fold) {
    String family = job.config().family();
    ProbabilisticClassifier<?, ?, ?> classifier = Classifiers.create(family, job.classifierParams(), seed);
    classifier.set(classifier.getParam("featuresCol"), FeaturisedData.featuresColumn(family));
    Dataset<Row> train = data.foldTrain(fold);
    if (job.rowFraction() < 1.0) {
      // A fixed seed per trial: the same rows at every rung of it, a different subset per trial.
      train = train.sample(false, job.rowFraction(), seed + job.trialId());
    }
    ProbabilisticClassificationModel<?, ?> model;
    int reused = 0;
    if (classifier instanceof GBTClassifier gbt && job.resourceSpec().kind() == ResourceSpec.Kind.ITERATIONS) {
      String key = job.trialId() + "/" + fold;
      GBTClassificationModel previous = boostedSoFar.get(key);
      reused = previous == null ? 0 : previous.getNumTrees();
      GBTClassificationModel boosted = GbtWarmStart.fit(gbt, train, previous);
      boostedSoFar.put(key, boosted);
      model = boosted;
    } else {
      model = (ProbabilisticClassificationModel<?, ?>) classifier.fit(train);
    }
    ScoredPairs heldOut = BinaryEvaluation.collect(model.transform(data.foldValidation(fold)), RawSchema.TARGET,
        model.getProbabilityCol());
    return new FoldFit(heldOut, ModelSize.of(model), reused);
  }

  /** The trial ended (completed, stopped or failed): its trees are not continued any more. */
  public void forget(int trialId) {
    boostedSoFar.keySet().removeIf(key -> key.startsWith(trialId + "/"));
  }
}

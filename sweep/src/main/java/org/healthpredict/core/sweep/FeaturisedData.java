package org.healthpredict.core.sweep;

import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.StandardScalerModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.healthpredict.core.data.RawSchema;
import org.healthpredict.core.features.FeatureFit;
import org.healthpredict.core.features.FeaturePipeline;
import org.healthpredict.core.features.ModelFamily;
import org.healthpredict.core.training.Classifiers;

/**
 * The rows a sweep may learn from (the split's train and validation parts; never test) featurised
 * once: the feature stages are fitted a single time on all of them, each row gets its patient's
 * cross-validation fold ({@link PatientFolds}), and the narrow (features, label, fold) result is cached
 * and shared by every trial and fold. A trial's fitted classifier is joined back to these fitted
 * stages, so the sweep's artifact is still one PipelineModel.
 *
 * <p>Fitting the feature stages on all rows rather than per fold lets a fold's validation rows shape
 * the vocabulary of categories and the scaling; both are unsupervised (no label is read), and the
 * final model is fitted on the same rows with the same stages, so the folds rank configurations
 * as the final fit will see them.
 */
public final class FeaturisedData implements AutoCloseable {

  /** Scaled features for families that need them (fitted on the same rows as every other stage). */
  public static final String SCALED = FeaturePipeline.FEATURES + "_scaled";

  private final PipelineModel featureStages;
  private final StandardScalerModel scaler;
  private final Dataset<Row> all;
  private final int folds;
  /** No rows, raw schema: what Pipeline.fit checks the assembled stages against. */
  private final Dataset<Row> rawSchemaOnly;

  private FeaturisedData(PipelineModel featureStages, StandardScalerModel scaler, Dataset<Row> all, int folds,
      Dataset<Row> rawSchemaOnly) {
    this.featureStages = featureStages;
    this.scaler = scaler;
    this.all = all;
    this.folds = folds;
    this.rawSchemaOnly = rawSchemaOnly;
  }

  /**
   * @param rawFitRows the rows to learn from (train and validation), with {@code patient_nbr}
   * @param folds cross-validation folds k
   * @param seed seeds the patient-to-fold hash
   */
  public static FeaturisedData prepare(Dataset<Row> rawFitRows, int folds, long seed) {
    PipelineModel features = FeatureFit.fit(ModelFamily.GBT, rawFitRows);
    Dataset<Row> unscaled = cache(features.transform(PatientFolds.assign(rawFitRows, folds, seed))
        .select(FeaturePipeline.FEATURES, RawSchema.TARGET, PatientFolds.FOLD));
    // Scale only: centring would turn the sparse one-hot vectors dense (as in FeaturePipeline).
    StandardScalerModel scaler = new StandardScaler().setInputCol(FeaturePipeline.FEATURES).setOutputCol(SCALED)
        .setWithStd(true).setWithMean(false).fit(unscaled);
    Dataset<Row> all = cache(scaler.transform(unscaled));
    unscaled.unpersist();
    return new FeaturisedData(features, scaler, all, folds, rawFitRows.limit(0));
  }

  private static Dataset<Row> cache(Dataset<Row> rows) {
    Dataset<Row> cached = rows.persist(StorageLevel.MEMORY_AND_DISK());
    cached.count();
    return cached;
  }

  /** Every row to learn from: what the final model is fitted on. */
  public Dataset<Row> all() {
    return all;
  }

  public int folds() {
    return folds;
  }

  /** The rows a fold's model is fitted on: every other fold. */
  public Dataset<Row> foldTrain(int fold) {
    return all.filter(col(PatientFolds.FOLD).notEqual(fold));
  }

  /** The rows a fold's model is scored on. */
  public Dataset<Row> foldValidation(int fold) {
    return all.filter(col(PatientFolds.FOLD).equalTo(fold));
  }

  /** The features column a family's classifier reads. */
  public static String featuresColumn(String family) {
    return Classifiers.needsScaling(family) ? SCALED : FeaturePipeline.FEATURES;
  }

  /** One PipelineModel: the fitted feature stages (+ scaler where needed) and a fitted classifier. */
  public PipelineModel assemble(String family, Transformer classifierModel) {
    List<PipelineStage> stages = new ArrayList<>(List.of(featureStages.stages()));
    if (Classifiers.needsScaling(family)) {
      stages.add(scaler);
    }
    stages.add(classifierModel);
    // A Pipeline of transformers only "fits" without touching data: it just collects them.
    return new Pipeline().setStages(stages.toArray(PipelineStage[]::new)).fit(rawSchemaOnly);
  }

  @Override
  public void close() {
    all.unpersist();
  }
}

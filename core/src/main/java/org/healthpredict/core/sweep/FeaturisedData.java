package org.healthpredict.core.sweep;

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
 * Train and validation data featurised once for a whole sweep: the feature stages are fitted on
 * train a single time, and the narrow (features, label) result is cached and shared by every trial.
 * A trial's fitted classifier is joined back to these fitted stages, so the sweep's artifact is still
 * one PipelineModel.
 */
public final class FeaturisedData implements AutoCloseable {

  /** Scaled features for families that need them (fitted on train, like every other stage). */
  public static final String SCALED = FeaturePipeline.FEATURES + "_scaled";

  private final PipelineModel featureStages;
  private final StandardScalerModel scaler;
  private final Dataset<Row> train;
  private final Dataset<Row> validation;
  /** No rows, raw schema: what Pipeline.fit checks the assembled stages against. */
  private final Dataset<Row> rawSchemaOnly;

  private FeaturisedData(PipelineModel featureStages, StandardScalerModel scaler, Dataset<Row> train,
      Dataset<Row> validation, Dataset<Row> rawSchemaOnly) {
    this.featureStages = featureStages;
    this.rawSchemaOnly = rawSchemaOnly;
    this.scaler = scaler;
    this.train = train;
    this.validation = validation;
  }

  public static FeaturisedData prepare(Dataset<Row> rawTrain, Dataset<Row> rawValidation) {
    PipelineModel features = FeatureFit.fit(ModelFamily.GBT, rawTrain);
    // Featurised once: the scaler is fitted on the same cached rows the trials then read.
    Dataset<Row> unscaledTrain = cache(featurise(features, rawTrain));
    // Scale only: centring would turn the sparse one-hot vectors dense (as in FeaturePipeline).
    StandardScalerModel scaler = new StandardScaler().setInputCol(FeaturePipeline.FEATURES).setOutputCol(SCALED)
        .setWithStd(true).setWithMean(false).fit(unscaledTrain);
    Dataset<Row> train = cache(scaler.transform(unscaledTrain));
    unscaledTrain.unpersist();
    Dataset<Row> validation = cache(scaler.transform(featurise(features, rawValidation)));
    return new FeaturisedData(features, scaler, train, validation, rawTrain.limit(0));
  }

  private static Dataset<Row> featurise(PipelineModel features, Dataset<Row> raw) {
    return features.transform(raw).select(FeaturePipeline.FEATURES, RawSchema.TARGET);
  }

  private static Dataset<Row> cache(Dataset<Row> rows) {
    Dataset<Row> cached = rows.persist(StorageLevel.MEMORY_AND_DISK());
    cached.count();
    return cached;
  }

  public Dataset<Row> train() {
    return train;
  }

  public Dataset<Row> validation() {
    return validation;
  }

  /** The features column a family's classifier reads. */
  public static String featuresColumn(String family) {
    return Classifiers.needsScaling(family) ? SCALED : FeaturePipeline.FEATURES;
  }

  /** One PipelineModel: the fitted feature stages (+ scaler where needed) and a fitted classifier. */
  public PipelineModel assemble(String family, Transformer classifierModel) {
    List<PipelineStage> all = new ArrayList<>(List.of(featureStages.stages()));
    if (Classifiers.needsScaling(family)) {
      all.add(scaler);
    }
    all.add(classifierModel);
    // A Pipeline of transformers only "fits" without touching data: it just collects them.
    return new Pipeline().setStages(all.toArray(PipelineStage[]::new)).fit(rawSchemaOnly);
  }

  @Override
  public void close() {
    train.unpersist();
    validation.unpersist();
  }
}

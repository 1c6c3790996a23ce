package org.healthpredict.serving.scoring;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PredictionModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.healthpredict.core.data.RawSchema;

/**
 * Scores one record with a fitted PipelineModel in plain Java, without planning a Spark query: each
 * feature stage's row version (reading the fitted parameters from the stage) fills the feature
 * vector, and the classifier scores it, tree ensembles through flat copies of their trees. Built once
 * per loaded model; immutable afterwards and safe to share between request threads (each record gets
 * its own small {@link RowFrame}).
 */
public final class RowScorer implements RecordScorer {

  private static final StructType TYPED = RawSchema.typedSchema();
  /** Every typed field but the label, which scoring never reads. */
  private static final int INPUTS = TYPED.fields().length - 1;

  private final RowStage[] stages;
  private final int featuresSlot;
  private final int valueSlots;
  private final int numberSlots;
  private final VectorScorer classifier;

  private RowScorer(RowStage[] stages, int featuresSlot, int valueSlots, int numberSlots, VectorScorer classifier) {
    this.stages = stages;
    this.featuresSlot = featuresSlot;
    this.valueSlots = valueSlots;
    this.numberSlots = numberSlots;
    this.classifier = classifier;
  }

  /**
   * The row scorer of a fitted pipeline: feature stages reading {@link RawSchema#typedSchema()} columns,
   * ending in a probabilistic classifier (nested PipelineModels are unfolded).
   *
   * @throws IllegalArgumentException naming the stage class it cannot apply
   */
  public static RowScorer of(PipelineModel model) {
    List<Transformer> all = new ArrayList<>();
    unfold(model, all);
    if (all.isEmpty()) {
      throw new IllegalArgumentException("the pipeline has no stages; expected feature stages and a classifier");
    }
    ColumnLayout layout = new ColumnLayout();
    for (StructField field : TYPED.fields()) {
      layout.value(field.name());
    }
    StructType schema = TYPED;
    RowStage[] stages = new RowStage[all.size() - 1];
    for (int i = 0; i < stages.length; i++) {
      Transformer stage = all.get(i);
      stages[i] = RowStages.of(stage, layout, schema);
      schema = stage.transformSchema(schema);
    }
    Transformer last = all.get(all.size() - 1);
    VectorScorer classifier = VectorScorers.of(last);
    PredictionModel<?, ?> predictor = (PredictionModel<?, ?>) last;
    ColumnLayout.Slot features = layout.get(predictor.getFeaturesCol());
    if (features.kind() != ColumnLayout.Kind.VECTOR) {
      throw new IllegalArgumentException("the classifier reads " + features.column() + ", which is not a vector");
    }
    int expected = predictor.numFeatures();
    if (features.size() != expected) {
      throw new IllegalArgumentException("the classifier expects " + expected + " features, but the stages before "
          + "it assemble " + features.size());
    }
    return new RowScorer(stages, features.index(), layout.valueCount(), layout.numberCount(), classifier);
  }

  @Override
  public double probability(Object[] typed) {
    return classifier.probability(features(typed));
  }

  /** The assembled (and, where the pipeline scales, scaled) feature vector the classifier receives. */
  double[] features(Object[] typed) {
    if (typed.length < INPUTS) {
      throw new IllegalArgumentException("a record has " + INPUTS + " values in RawSchema.typedSchema() order "
          + "(the label may be left out), got " + typed.length);
    }
    RowFrame row = new RowFrame(valueSlots, numberSlots);
    System.arraycopy(typed, 0, row.values, 0, INPUTS);
    for (RowStage stage : stages) {
      stage.apply(row);
    }
    return (double[]) row.values[featuresSlot];
  }

  /** What scores, for logs and GET /model, e.g. "rf: 100 trees, 9,000 splits (12 categorical), flat evaluator". */
  @Override
  public String describe() {
    return classifier.describe() + " after " + stages.length + " feature stages";
  }

  private static void unfold(Transformer stage, List<Transformer> out) {
    if (stage instanceof PipelineModel pipeline) {
      for (Transformer inner : pipeline.stages()) {
        unfold(inner, out);
      }
    } else {
      out.add(stage);
    }
  }
}

package org.healthpredict.core.drift;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.round;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.healthpredict.core.data.RawSchema;
import org.healthpredict.core.evaluation.BinaryEvaluation;
import org.healthpredict.core.features.EngineeredFeatures;
import org.healthpredict.core.scoring.BatchScorer;

/**
 * Turns typed encounters into the columns drift is measured on: the monitored raw columns, the
 * engineered features (the very stage the model uses), the label where present, and — with a model
 * — its readmission probability (rounded to a 0.0001 grid so its counts stay small) and probability vector.
 */
final class MonitoredData {

  /** The model's probability vector, kept for the performance metrics. */
  static final String PROBABILITY = "probability";
  private static final String ALIAS = "__drift_";
  private static final int PROBABILITY_DECIMALS = 4;

  private MonitoredData() {}

  /** Fails naming the data set and the missing columns when the input is not typed encounters. */
  static void requireRawColumns(Dataset<Row> data, String what, String uri) {
    List<String> present = List.of(data.columns());
    List<String> missing = RawSchema.columns().stream().filter(c -> !present.contains(c)).toList();
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException(what + " " + uri + " lacks the columns " + missing
          + "; expected encounters in the split's typed Parquet format (e.g. a split's initial/train or a batch)");
    }
  }

  static boolean hasLabels(Dataset<Row> data) {
    return List.of(data.columns()).contains(RawSchema.TARGET);
  }

  static Dataset<Row> prepare(Dataset<Row> raw, List<MonitoredFeature> features, BatchScorer.ScoringModel model) {
    Dataset<Row> engineered = new EngineeredFeatures().transform(raw);
    boolean labelled = hasLabels(raw);
    if (model == null) {
      List<Column> out = new ArrayList<>(features.stream().map(f -> col(f.name())).toList());
      if (labelled) {
        out.add(col(RawSchema.TARGET));
      }
      return engineered.select(out.toArray(Column[]::new));
    }
    // The model's own stages rewrite some raw columns in place (missing categories become "missing"),
    // so the monitored values travel through it under other names and come back unchanged.
    List<Column> in = new ArrayList<>(RawSchema.columns().stream().map(c -> col(c)).toList());
    for (int i = 0; i < features.size(); i++) {
      in.add(col(features.get(i).name()).as(ALIAS + i));
    }
    if (labelled) {
      in.add(col(RawSchema.TARGET).as(ALIAS + RawSchema.TARGET));
    }
    Dataset<Row> scored = model.model().transform(engineered.select(in.toArray(Column[]::new)));
    List<Column> out = new ArrayList<>();
    for (int i = 0; i < features.size(); i++) {
      out.add(col(ALIAS + i).as(features.get(i).name()));
    }
    if (labelled) {
      out.add(col(ALIAS + RawSchema.TARGET).as(RawSchema.TARGET));
    }
    out.add(round(BinaryEvaluation.positiveProbability(PROBABILITY), PROBABILITY_DECIMALS)
        .as(MonitoredFeature.PREDICTION_NAME));
    out.add(col(PROBABILITY));
    return scored.select(out.toArray(Column[]::new));
  }
}

package org.healthpredict.core.scoring;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.healthpredict.core.data.RawSchema;
import org.healthpredict.core.evaluation.BinaryEvaluation;
import org.healthpredict.core.storage.ParquetOutput;

/**
 * Scores a whole data set with one model: for every encounter its readmission probability, the label
 * at the model's decision threshold, and which model version said so. Output is Parquet, committed
 * atomically.
 */
public final class BatchScorer {

  public static final String PROBABILITY = "readmission_probability";
  public static final String LABEL = "predicted_readmitted_binary";

  private final SparkSession spark;

  public BatchScorer(SparkSession spark) {
    this.spark = spark;
  }

  /** Which model scores, as recorded on every prediction. */
  public record ScoringModel(PipelineModel model, double threshold, String name, String version) {}

  public Dataset<Row> predictions(ScoringModel m, Dataset<Row> input) {
    Dataset<Row> scored = m.model().transform(input)
        .withColumn(PROBABILITY, BinaryEvaluation.positiveProbability("probability"));
    Dataset<Row> out = scored.select(col(RawSchema.ENCOUNTER_ID), col(RawSchema.PATIENT_NBR), col(PROBABILITY))
        .withColumn(LABEL, when(col(PROBABILITY).geq(m.threshold()), lit(1)).otherwise(lit(0)))
        .withColumn("model_name", lit(m.name()))
        .withColumn("model_version", lit(m.version()));
    return out;
  }

  /** Writes predictions for every input row and returns how many were written. */
  public long scoreTo(ScoringModel m, Dataset<Row> input, String outputUri) {
    return ParquetOutput.write(spark, predictions(m, input), outputUri, "the predictions");
  }
}

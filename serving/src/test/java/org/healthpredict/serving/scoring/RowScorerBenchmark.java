package org.healthpredict.serving.scoring;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.classification.ProbabilisticClassificationModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.healthpredict.core.data.RawSchema;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One record scored, in microseconds: the row scorer from raw typed values (features included),
 * beside the classifier's own Spark {@code predictProbability(Vector)} on the same records' assembled
 * vectors (features excluded, so the comparison favours Spark). Each invocation takes the next test
 * encounter, so branches and caches see real variety. Models and records come from the directory
 * {@link RowScorerBench} prepares.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RowScorerBenchmark {

  @Param({"lr", "rf", "gbt", "reference"})
  public String model;

  /** The prepared directory: one saved PipelineModel per model name, and "records". */
  @Param("")
  public String models;

  private RowScorer scorer;
  private ProbabilisticClassificationModel<Vector, ?> sparkClassifier;
  private Object[][] records;
  private Vector[] vectors;
  private int next;

  @Setup(Level.Trial)
  @SuppressWarnings("unchecked")
  public void load() {
    SparkSession spark = SparkSession.builder().master("local[1]").appName("row-scorer-benchmark")
        .config("spark.ui.enabled", "false").getOrCreate();
    PipelineModel pipeline = PipelineModel.load(models + "/" + model);
    Dataset<Row> rows = spark.read().parquet(models + "/" + RowScorerBench.RECORDS);
    List<Object[]> typed = Encounters.typed(rows);
    Transformer[] stages = pipeline.stages();
    sparkClassifier = (ProbabilisticClassificationModel<Vector, ?>) stages[stages.length - 1];
    Map<Long, Vector> byEncounter = new HashMap<>();
    for (Row r : pipeline.transform(rows).select(RawSchema.ENCOUNTER_ID, sparkClassifier.getFeaturesCol())
        .collectAsList()) {
      byEncounter.put(r.getLong(0), (Vector) r.get(1));
    }
    scorer = RowScorer.of(pipeline);
    spark.stop();  // Nothing measured here needs Spark running; its threads would only add noise.
    records = typed.toArray(Object[][]::new);
    vectors = new Vector[records.length];
    for (int i = 0; i < records.length; i++) {
      vectors[i] = byEncounter.get(Encounters.encounterId(records[i]));
    }
  }

  private int nextRecord() {
    int i = next;
    next = i + 1 == records.length ? 0 : i + 1;
    return i;
  }

  /** What serving does per request: typed values in, probability out. */
  @Benchmark
  public double rowScorer() {
    return scorer.probability(records[nextRecord()]);
  }

  /** Spark's own per-vector method: the peer the row scorer is measured against. */
  @Benchmark
  public double sparkPredictProbability() {
    return sparkClassifier.predictProbability(vectors[nextRecord()]).apply(1);
  }
}

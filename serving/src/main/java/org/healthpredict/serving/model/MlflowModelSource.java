package org.healthpredict.serving.model;

import java.time.Instant;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.healthpredict.core.model.MlflowModel;
import org.healthpredict.core.model.ModelMetadata;
import org.healthpredict.core.release.ModelLoader;
import org.healthpredict.core.tracking.Tracking;
import org.healthpredict.serving.scoring.RecordScorer;
import org.healthpredict.serving.scoring.RowScorer;
import org.healthpredict.serving.scoring.TransformScorer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads models the way every other part of the product does ({@link ModelLoader}: registry alias,
 * version, run or directory) and prepares their scorer. Spark is used here only to read the saved
 * PipelineModel; the row scorer then answers requests without it.
 */
public final class MlflowModelSource implements ModelSource {

  /** Used when a model directory carries no Health Predict metadata (e.g. saved by plain Spark). */
  public static final double DEFAULT_THRESHOLD = 0.5;

  private static final Logger LOG = LoggerFactory.getLogger(MlflowModelSource.class);

  private final ModelLoader loader;
  private final ScorerKind scorerKind;
  private final SparkSession spark;

  public MlflowModelSource(Tracking tracking, ScorerKind scorerKind) {
    long start = System.nanoTime();
    this.loader = new ModelLoader(tracking);
    this.scorerKind = scorerKind;
    this.spark = localSession();
    LOG.info("local SparkSession for model reading started in {} s", seconds(System.nanoTime() - start));
  }

  @Override
  public LoadedModel load(String uri) {
    long start = System.nanoTime();
    ModelLoader.Loaded loaded = loader.load(uri);
    MlflowModel model = loaded.model();
    long read = System.nanoTime();
    RecordScorer scorer = scorerKind == ScorerKind.ROW
        ? RowScorer.of(model.pipeline())
        : new TransformScorer(spark, model.pipeline());
    LOG.info("{}: model fetched and read in {} s, scorer built in {} s", uri, seconds(read - start),
        seconds(System.nanoTime() - read));
    double threshold = model.metadata().map(ModelMetadata::decisionThreshold).orElse(DEFAULT_THRESHOLD);
    Map<String, Double> metrics = model.metadata().map(ModelMetadata::metrics).orElse(Map.of());
    String family = model.metadata().map(m -> m.modelFamily().name().toLowerCase()).orElse("unknown");
    return new LoadedModel(uri, loaded.name(), loaded.version(), loaded.runId(), metrics, threshold, family,
        Instant.now(), scorer);
  }

  @Override
  public String currentVersion(String uri) {
    return loader.version(uri);
  }

  /**
   * One local core and no UI: the session only reads model files (and runs transform for the
   * reference scorer), and a serving pod must not open Spark's UI port.
   */
  private static SparkSession localSession() {
    SparkConf conf = new SparkConf(true);
    conf.setIfMissing("spark.master", "local[1]");
    conf.setIfMissing("spark.app.name", "health-predict-serving");
    conf.setIfMissing("spark.ui.enabled", "false");
    conf.setIfMissing("spark.sql.shuffle.partitions", "1");
    return SparkSession.builder().config(conf).getOrCreate();
  }

  private static String seconds(long nanos) {
    return String.format("%.2f", nanos / 1e9);
  }
}

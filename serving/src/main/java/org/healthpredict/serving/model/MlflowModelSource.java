package org.healthpredict.serving.model;

import java.time.Instant;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.SparkSession;
import org.healthpredict.core.model.MlflowModel;
import org.healthpredict.core.model.ModelMetadata;
import org.healthpredict.core.release.ModelLoader;
import org.healthpredict.core.spark.SparkSessions;
import org.healthpredict.core.tracking.Tracking;
import org.healthpredict.serving.model.saved.SavedPipelineReader;
import org.healthpredict.serving.model.saved.UnsupportedStageException;
import org.healthpredict.serving.scoring.RecordScorer;
import org.healthpredict.serving.scoring.RowScorer;
import org.healthpredict.serving.scoring.TransformScorer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads models the way every other part of the product does ({@link ModelLoader}: registry alias,
 * version, run or directory) and prepares their scorer. The row scorer's models are read without
 * Spark ({@link SavedPipelineReader}); a SparkSession is started only when something needs it: the
 * transform scorer, or a stage only Spark's own loader can read.
 */
public final class MlflowModelSource implements ModelSource {

  /** Used when a model directory carries no Health Predict metadata (e.g. saved by plain Spark). */
  public static final double DEFAULT_THRESHOLD = 0.5;

  private static final Logger LOG = LoggerFactory.getLogger(MlflowModelSource.class);

  private final ModelLoader loader;
  private final ScorerKind scorerKind;
  private final SavedPipelineReader savedReader;
  private SparkSession spark;

  public MlflowModelSource(Tracking tracking, ScorerKind scorerKind) {
    this.scorerKind = scorerKind;
    Configuration hadoop = SparkSessions.hadoopConfiguration();
    this.savedReader = new SavedPipelineReader(hadoop);
    this.loader = new ModelLoader(tracking, dir -> MlflowModel.load(dir, hadoop, this::readPipeline));
  }

  @Override
  public LoadedModel load(String uri) {
    long start = System.nanoTime();
    ModelLoader.Loaded loaded = loader.load(uri);
    MlflowModel model = loaded.model();
    long read = System.nanoTime();
    RecordScorer scorer = scorerKind == ScorerKind.ROW
        ? RowScorer.of(model.pipeline())
        : new TransformScorer(spark(), model.pipeline());
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

  /** The saved PipelineModel: read directly for the row scorer, by Spark for transform or unknown stages. */
  private PipelineModel readPipeline(String sparkModelUri) {
    if (scorerKind == ScorerKind.ROW) {
      try {
        return savedReader.read(sparkModelUri);
      } catch (UnsupportedStageException e) {
        LOG.info("{}; reading the model with Spark instead", e.getMessage());
      }
    }
    spark();
    return PipelineModel.load(sparkModelUri);
  }

  /**
   * One local core and no UI: the session only reads model files (and runs transform for the
   * reference scorer), and a serving pod must not open Spark's UI port.
   */
  private synchronized SparkSession spark() {
    if (spark == null) {
      long start = System.nanoTime();
      SparkConf conf = new SparkConf(true);
      conf.setIfMissing("spark.master", "local[1]");
      conf.setIfMissing("spark.app.name", "health-predict-serving");
      conf.setIfMissing("spark.ui.enabled", "false");
      conf.setIfMissing("spark.sql.shuffle.partitions", "1");
      spark = SparkSession.builder().config(conf).getOrCreate();
      LOG.info("local SparkSession for model reading started in {} s", seconds(System.nanoTime() - start));
    }
    return spark;
  }

  private static String seconds(long nanos) {
    return String.format("%.2f", nanos / 1e9);
  }
}

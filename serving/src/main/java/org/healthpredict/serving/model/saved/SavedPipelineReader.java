package org.healthpredict.serving.model.saved;

import java.lang.reflect.InvocationTargetException;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.feature.ImputerModel;
import org.apache.spark.ml.feature.OneHotEncoderModel;
import org.apache.spark.ml.feature.StandardScalerModel;
import org.apache.spark.ml.feature.StringIndexerModel;
import org.apache.spark.ml.util.DefaultParamsWritable;

/**
 * Reads a saved {@link PipelineModel} without a SparkSession. {@code PipelineModel.load} runs two or
 * three Spark jobs per stage (metadata text, Parquet schema, data), which with the session's start
 * costs the scoring service about ten seconds before it can be ready; the files are small, so this
 * reads them directly: metadata JSON through Hadoop's FileSystem and data through parquet-hadoop.
 *
 * <p>The stages are Spark's own classes, built with the constructors and param decoding Spark's
 * readers use, so everything downstream (the row scorer, or {@code transform} in a session) sees
 * the same objects. Stages it does not know raise {@link UnsupportedStageException}; the caller
 * then falls back to {@code PipelineModel.load}. Supported: params-only stages (ours, VectorAssembler,
 * any {@link DefaultParamsWritable}), Imputer, StringIndexer, OneHotEncoder, StandardScaler,
 * LogisticRegression, DecisionTree, RandomForest and GBT classifiers, and nested pipelines, as
 * saved by Spark 3.0 or later.
 */
public final class SavedPipelineReader {

  private final Configuration hadoop;

  public SavedPipelineReader(Configuration hadoop) {
    this.hadoop = hadoop;
  }

  /**
   * @param uri the saved PipelineModel's directory (any Hadoop URI)
   * @throws UnsupportedStageException if a stage has no reader here
   * @throws IllegalArgumentException if the directory is not a saved pipeline, naming the file
   */
  public PipelineModel read(String uri) {
    return pipeline(SavedStage.at(hadoop, uri.replaceAll("/+$", "")));
  }

  private PipelineModel pipeline(SavedStage saved) {
    String[] uids = saved.stringArrayParam("stageUids");
    // Spark names stage directories <index>_<uid>, the index zero-padded to the digits of the count.
    String indexFormat = "%0" + String.valueOf(uids.length).length() + "d";
    Transformer[] stages = new Transformer[uids.length];
    for (int i = 0; i < uids.length; i++) {
      String dir = saved.uri() + "/stages/" + String.format(Locale.ROOT, indexFormat, i) + "_" + uids[i];
      stages[i] = stage(SavedStage.at(hadoop, dir));
    }
    return new PipelineModel(saved.uid(), stages);
  }

  private Transformer stage(SavedStage saved) {
    if (!saved.fromSpark3OrLater()) {
      throw new UnsupportedStageException(saved.uri() + " was saved by a Spark before 3.0");
    }
    String className = saved.className();
    return switch (className) {
      case "org.apache.spark.ml.PipelineModel" -> pipeline(saved);
      case "org.apache.spark.ml.feature.ImputerModel" -> imputer(saved);
      case "org.apache.spark.ml.feature.StringIndexerModel" -> withParams(saved,
          new StringIndexerModel(saved.uid(), ParquetRows.stringLists(saved.dataRow(), "labelsArray")));
      case "org.apache.spark.ml.feature.OneHotEncoderModel" -> withParams(saved,
          new OneHotEncoderModel(saved.uid(), ParquetRows.ints(saved.dataRow(), "categorySizes")));
      case "org.apache.spark.ml.feature.StandardScalerModel" -> scaler(saved);
      case "org.apache.spark.ml.classification.LogisticRegressionModel" -> logistic(saved);
      case "org.apache.spark.ml.classification.DecisionTreeClassificationModel" -> SavedTrees.decisionTree(saved);
      case "org.apache.spark.ml.classification.RandomForestClassificationModel" -> SavedTrees.randomForest(saved);
      case "org.apache.spark.ml.classification.GBTClassificationModel" -> SavedTrees.boostedTrees(saved);
      default -> paramsOnly(saved);
    };
  }

  /** Spark 4.1's ImputerModel keeps the surrogates as an array; the data row has one column per input. */
  private static ImputerModel imputer(SavedStage saved) {
    Group row = saved.dataRow();
    int n = row.getType().getFieldCount();
    String[] columns = new String[n];
    double[] surrogates = new double[n];
    for (int i = 0; i < n; i++) {
      columns[i] = row.getType().getFieldName(i);
      surrogates[i] = row.getDouble(i, 0);
    }
    return withParams(saved, new ImputerModel(saved.uid(), columns, surrogates));
  }

  private static StandardScalerModel scaler(SavedStage saved) {
    Group row = saved.dataRow();
    return withParams(saved, new StandardScalerModel(saved.uid(), ParquetRows.vector(row, "std"),
        ParquetRows.vector(row, "mean")));
  }

  private static LogisticRegressionModel logistic(SavedStage saved) {
    Group row = saved.dataRow();
    return withParams(saved, new LogisticRegressionModel(saved.uid(), ParquetRows.matrix(row, "coefficientMatrix"),
        ParquetRows.vector(row, "interceptVector"), row.getInteger("numClasses", 0),
        row.getBoolean("isMultinomial", 0)));
  }

  /**
   * A stage saved with Spark's default params writer (no data): built from its (uid) constructor
   * with its params set, exactly what {@code DefaultParamsReader} does.
   */
  private static Transformer paramsOnly(SavedStage saved) {
    Class<?> type;
    try {
      type = Class.forName(saved.className());
    } catch (ClassNotFoundException e) {
      throw new UnsupportedStageException(saved.uri() + " holds a " + saved.className()
          + ", which is not on the class path");
    }
    if (!Transformer.class.isAssignableFrom(type) || !DefaultParamsWritable.class.isAssignableFrom(type)
        || saved.hasData()) {
      throw new UnsupportedStageException(saved.uri() + " holds a " + saved.className()
          + ", which has no Spark-free reader");
    }
    try {
      Transformer stage = (Transformer) type.getConstructor(String.class).newInstance(saved.uid());
      return withParams(saved, stage);
    } catch (NoSuchMethodException | InstantiationException | IllegalAccessException | InvocationTargetException e) {
      throw new UnsupportedStageException(saved.uri() + ": " + saved.className() + " has no public (uid) constructor");
    }
  }

  private static <T extends Transformer> T withParams(SavedStage saved, T stage) {
    saved.setParams(stage);
    return stage;
  }
}

package org.healthpredict.core.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.SparkSession;
import org.healthpredict.core.storage.HadoopFiles;

/**
 * A model read back from an MLflow Spark model directory (ours, or one {@code mlflow.spark.log_model}
 * wrote): the fitted PipelineModel found through the MLmodel file, and our metadata where present.
 *
 * @param uri the model directory
 * @param modelUuid MLflow's id of this model directory
 * @param pipeline the fitted PipelineModel: feature stages and classifier
 * @param metadata our metadata; empty for models written without it (or by Python)
 */
public record MlflowModel(String uri, String modelUuid, PipelineModel pipeline, Optional<ModelMetadata> metadata) {

  /** MLflow's name for the Spark flavor ({@code mlflow.spark.FLAVOR_NAME}). */
  public static final String SPARK_FLAVOR = "spark";
  /** Where MLflow keeps the Spark model inside the directory ({@code mlflow.spark._SPARK_MODEL_PATH_SUB}). */
  public static final String SPARK_MODEL_PATH = "sparkml";
  /** Python code shipped with the model, MLflow's {@code code_paths} directory. */
  public static final String CODE_PATH = "code";
  public static final String MLMODEL_FILE = "MLmodel";
  public static final String INPUT_EXAMPLE_FILE = "input_example.json";
  public static final String SERVING_INPUT_FILE = "serving_input_example.json";
  /** Our metadata, as a JSON file of its own. */
  public static final String METADATA_FILE = "health_predict.json";
  static final String PIPELINE_MODEL_CLASS = "pyspark.ml.pipeline.PipelineModel";

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();

  public static MlflowModel load(Path dir) {
    return load(dir.toAbsolutePath().toUri().toString());
  }

  /**
   * Loads the model directory at a Hadoop URI ({@code file:}, {@code s3a:}, …) or local path, with
   * the active SparkSession's Hadoop configuration.
   *
   * @throws IllegalArgumentException naming the directory if it is not an MLflow Spark model
   */
  public static MlflowModel load(String dirUri) {
    return load(dirUri, SparkSession.active().sparkContext().hadoopConfiguration(), PipelineModel::load);
  }

  /**
   * Loads the model directory with the given Hadoop configuration, reading the saved PipelineModel
   * with {@code pipelineReader} (given the Spark model's URI): {@code PipelineModel::load} needs a
   * SparkSession; the scoring service passes a reader that needs none.
   *
   * @throws IllegalArgumentException naming the directory if it is not an MLflow Spark model
   */
  public static MlflowModel load(String dirUri, Configuration hadoop, Function<String, PipelineModel> pipelineReader) {
    String dir = dirUri.replaceAll("/+$", "");
    String mlmodelUri = dir + "/" + MLMODEL_FILE;
    if (!HadoopFiles.exists(hadoop, mlmodelUri)) {
      throw new IllegalArgumentException(missingMlmodel(hadoop, dir));
    }
    JsonNode mlmodel = readYaml(HadoopFiles.readString(hadoop, mlmodelUri), mlmodelUri);
    JsonNode spark = mlmodel.path("flavors").path(SPARK_FLAVOR);
    if (!spark.isObject()) {
      List<String> flavors = new ArrayList<>();
      mlmodel.path("flavors").fieldNames().forEachRemaining(flavors::add);
      throw new IllegalArgumentException(mlmodelUri + " has no '" + SPARK_FLAVOR + "' flavor (it has "
          + flavors + "): not an MLflow Spark model");
    }
    String modelClass = spark.path("model_class").asText(PIPELINE_MODEL_CLASS);
    if (!modelClass.equals(PIPELINE_MODEL_CLASS)) {
      throw new IllegalArgumentException(mlmodelUri + " holds a " + modelClass + "; expected a "
          + PIPELINE_MODEL_CLASS);
    }
    String modelData = spark.path("model_data").asText("");
    if (modelData.isEmpty()) {
      throw new IllegalArgumentException(mlmodelUri + ": the spark flavor has no model_data");
    }
    String sparkModelUri = dir + "/" + modelData;
    if (!HadoopFiles.exists(hadoop, sparkModelUri + "/metadata")) {
      throw new IllegalArgumentException(mlmodelUri + " points to model_data '" + modelData + "', but "
          + sparkModelUri + " holds no saved Spark model");
    }
    PipelineModel pipeline = pipelineReader.apply(sparkModelUri);

    String metadataUri = dir + "/" + METADATA_FILE;
    Optional<ModelMetadata> metadata = Optional.empty();
    if (HadoopFiles.exists(hadoop, metadataUri)) {
      metadata = Optional.of(ModelMetadata.fromJson(readJson(HadoopFiles.readString(hadoop, metadataUri), metadataUri),
          metadataUri));
    }
    return new MlflowModel(dir, mlmodel.path("model_uuid").asText(""), pipeline, metadata);
  }

  private static String missingMlmodel(Configuration hadoop, String dir) {
    if (!HadoopFiles.exists(hadoop, dir)) {
      return "no model directory at " + dir;
    }
    String message = dir + " is not an MLflow model directory: it has no " + MLMODEL_FILE + " file";
    if (HadoopFiles.exists(hadoop, dir + "/metadata") && HadoopFiles.exists(hadoop, dir + "/stages")) {
      // Models logged before the MLflow format were bare Spark directories.
      message += " (it looks like a bare Spark PipelineModel; load that with PipelineModel.load)";
    }
    return message;
  }

  private static JsonNode readYaml(String text, String source) {
    try {
      JsonNode node = YAML.readTree(text);
      if (node == null || !node.isObject()) {
        throw new IllegalArgumentException(source + " is not an MLmodel file: expected a YAML mapping");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(source + " is not valid YAML: " + e.getOriginalMessage(), e);
    }
  }

  private static JsonNode readJson(String text, String source) {
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(source + " is not valid JSON: " + e.getOriginalMessage(), e);
    }
  }
}

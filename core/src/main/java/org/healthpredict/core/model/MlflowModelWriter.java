package org.healthpredict.core.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;

/**
 * Writes a fitted PipelineModel as an MLflow model directory, file for file as
 * {@code mlflow.spark.save_model} lays one out, so {@code mlflow.spark.load_model},
 * {@code mlflow.pyfunc.load_model} and the MLflow UI read it like any Python-logged Spark model.
 *
 * <p>The directory holds {@code sparkml/} (Spark's own model layout), {@code code/} (PySpark
 * wrappers for our own stages, see {@link #writePythonWrappers}), {@code MLmodel} (flavors,
 * signature, input example info, our metadata), {@code input_example.json} and
 * {@code serving_input_example.json}, the Python environment files MLflow restores models with, and
 * {@code health_predict.json} (our metadata alone, for Java readers).
 */
public final class MlflowModelWriter {

  /** The MLflow release whose format this writes; the project venv pins the same one. */
  public static final String MLFLOW_VERSION = "3.17.2";
  /**
   * The Python of the project venv. MLflow records the interpreter of the process that saved a model
   * and restores that exact version with {@code --env-manager virtualenv}; Java has none, so we name
   * the one the interoperability tests load our models with.
   */
  public static final String PYTHON_VERSION = "3.11.7";

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .disable(YAMLGenerator.Feature.SPLIT_LINES))
      // Sorted like PyYAML's safe_dump, so the file reads like one MLflow wrote.
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final DateTimeFormatter UTC_CREATED = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

  private static final String PYTHON_WRAPPERS_HEADER = """
      \"""PySpark wrappers for Java pipeline stages, written with the model by Health Predict.

      PySpark loads a saved Java pipeline by importing the Python class named like each stage's Java
      class; these let it. The JVM needs the Health Predict core jar on its classpath (spark.jars).
      \"""
      from pyspark.ml.util import JavaMLReadable, JavaMLWritable
      from pyspark.ml.wrapper import JavaModel, JavaTransformer
      """;

  private final String runId;
  private final String artifactPath;

  /** A writer for a model directory not (yet) tied to a run. */
  public MlflowModelWriter() {
    this(null, null);
  }

  private MlflowModelWriter(String runId, String artifactPath) {
    this.runId = runId;
    this.artifactPath = artifactPath;
  }

  /** A writer that records, as {@code mlflow.spark.log_model} does, the run and artifact path it is logged under. */
  public MlflowModelWriter forRun(String runId, String artifactPath) {
    return new MlflowModelWriter(runId, artifactPath);
  }

  /** Writes the complete model directory; {@code dir} must not exist or be empty. */
  public void write(Path dir, PipelineModel model, ModelMetadata metadata, InputExample example) {
    String sparkVersion = runningSparkVersion();
    if (!metadata.sparkVersion().equals(sparkVersion)) {
      throw new IllegalArgumentException("metadata says Spark " + metadata.sparkVersion()
          + " but this is Spark " + sparkVersion + ", which writes the model and becomes its pyspark_version");
    }
    write(dir, model, Optional.of(metadata), Optional.of(example));
  }

  /**
   * Writes the model directory without our metadata and without an input example: for callers that
   * have neither; the signature is still written, since every model takes the same raw columns.
   */
  public void writeWithoutMetadata(Path dir, PipelineModel model) {
    write(dir, model, Optional.empty(), Optional.empty());
  }

  private void write(Path dir, PipelineModel model, Optional<ModelMetadata> metadata,
      Optional<InputExample> example) {
    try {
      prepare(dir);
      model.write().save(dir.resolve(MlflowModel.SPARK_MODEL_PATH).toUri().toString());
      boolean withCode = writePythonWrappers(dir.resolve(MlflowModel.CODE_PATH), model);
      if (example.isPresent()) {
        writeString(dir.resolve(MlflowModel.INPUT_EXAMPLE_FILE), example.get().splitJson());
        writeString(dir.resolve(MlflowModel.SERVING_INPUT_FILE), example.get().servingJson());
      }
      if (metadata.isPresent()) {
        writeString(dir.resolve(MlflowModel.METADATA_FILE), JSON.writeValueAsString(metadata.get().toMap()) + "\n");
      }
      // Measured before MLmodel and the environment files exist, as MLflow measures it.
      long size = totalSize(dir);
      writeString(dir.resolve(MlflowModel.MLMODEL_FILE),
          YAML.writeValueAsString(mlmodel(size, metadata, example.isPresent(), withCode)));
      writeString(dir.resolve("requirements.txt"), "mlflow==" + MLFLOW_VERSION + "\npyspark==" + runningSparkVersion() + "\n");
      writeString(dir.resolve("python_env.yaml"), pythonEnv());
      writeString(dir.resolve("conda.yaml"), condaEnv());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the MLflow model directory " + dir, e);
    }
  }

  private Map<String, Object> mlmodel(long size, Optional<ModelMetadata> metadata, boolean withExample,
      boolean withCode) {
    String code = withCode ? MlflowModel.CODE_PATH : null;
    Map<String, Object> spark = new LinkedHashMap<>();
    spark.put("pyspark_version", runningSparkVersion());
    spark.put("model_data", MlflowModel.SPARK_MODEL_PATH);
    spark.put("code", code);
    spark.put("model_class", MlflowModel.PIPELINE_MODEL_CLASS);

    Map<String, Object> pyfunc = new LinkedHashMap<>();
    if (withCode) {
      // As mlflow.pyfunc.add_to_model writes it: the key only when there is code.
      pyfunc.put("code", code);
    }
    pyfunc.put("loader_module", "mlflow.spark");
    pyfunc.put("python_version", PYTHON_VERSION);
    pyfunc.put("data", MlflowModel.SPARK_MODEL_PATH);
    pyfunc.put("env", Map.of("conda", "conda.yaml", "virtualenv", "python_env.yaml"));

    Map<String, Object> signature = new LinkedHashMap<>();
    signature.put("inputs", ModelInput.inputsJson());
    signature.put("outputs", ModelInput.OUTPUTS_JSON);
    signature.put("params", null);

    Map<String, Object> m = new LinkedHashMap<>();
    if (artifactPath != null) {
      m.put("artifact_path", artifactPath);
    }
    if (runId != null) {
      m.put("run_id", runId);
    }
    m.put("flavors", Map.of(MlflowModel.SPARK_FLAVOR, spark, "python_function", pyfunc));
    m.put("is_signature_from_type_hint", false);
    m.put("type_hint_from_example", false);
    metadata.ifPresent(md -> m.put("metadata", md.toMap()));
    m.put("mlflow_version", MLFLOW_VERSION);
    m.put("model_id", null);
    m.put("model_size_bytes", size);
    m.put("model_uuid", UUID.randomUUID().toString().replace("-", ""));
    m.put("prompts", null);
    if (withExample) {
      Map<String, Object> info = new LinkedHashMap<>();
      info.put("artifact_path", MlflowModel.INPUT_EXAMPLE_FILE);
      info.put("pandas_orient", "split");
      info.put("serving_input_path", MlflowModel.SERVING_INPUT_FILE);
      info.put("type", "dataframe");
      m.put("saved_input_example_info", info);
    }
    m.put("signature", signature);
    m.put("utc_time_created", LocalDateTime.now(ZoneOffset.UTC).format(UTC_CREATED));
    return m;
  }

  /**
   * Writes a PySpark wrapper class for every stage that is not Spark's own (our feature stages), as
   * MLflow's {@code code_paths} would ship them. PySpark loads a saved Java pipeline by importing, for
   * each stage, the Python class named like its Java class ({@code JavaParams._from_java}); without
   * these, {@code mlflow.spark.load_model} fails with "No module named 'org'". MLflow puts the
   * directory on {@code sys.path}; the JVM still needs the core jar ({@code spark.jars}).
   *
   * @return whether any wrapper was needed
   */
  private static boolean writePythonWrappers(Path codeDir, PipelineModel model) throws IOException {
    Map<String, Map<String, String>> byPackage = new TreeMap<>();
    for (Transformer stage : model.stages()) {
      String className = stage.getClass().getName();
      if (className.startsWith("org.apache.spark.")) {
        continue;
      }
      int dot = className.lastIndexOf('.');
      byPackage.computeIfAbsent(className.substring(0, dot), p -> new TreeMap<>())
          .put(className.substring(dot + 1), stage instanceof Model<?> ? "JavaModel" : "JavaTransformer");
    }
    for (String pkg : byPackage.keySet()) {
      Path packageDir = codeDir;
      for (String part : pkg.split("\\.")) {
        packageDir = Files.createDirectories(packageDir.resolve(part));
        Path init = packageDir.resolve("__init__.py");
        if (!Files.exists(init)) {
          Files.writeString(init, "");
        }
      }
    }
    for (Map.Entry<String, Map<String, String>> pkg : byPackage.entrySet()) {
      StringBuilder py = new StringBuilder(PYTHON_WRAPPERS_HEADER);
      pkg.getValue().forEach((name, base) -> py.append("\n\nclass ").append(name).append('(').append(base)
          .append(", JavaMLReadable, JavaMLWritable):\n    pass\n"));
      writeString(codeDir.resolve(pkg.getKey().replace('.', '/')).resolve("__init__.py"), py.toString());
    }
    return !byPackage.isEmpty();
  }

  private static String pythonEnv() {
    return "python: " + PYTHON_VERSION + "\n"
        + "build_dependencies:\n- pip\n- setuptools\n- wheel\n"
        + "dependencies:\n- -r requirements.txt\n";
  }

  private static String condaEnv() {
    return "channels:\n- conda-forge\n"
        + "dependencies:\n- python=" + PYTHON_VERSION + "\n- pip\n- pip:\n"
        + "  - mlflow==" + MLFLOW_VERSION + "\n  - pyspark==" + runningSparkVersion() + "\n"
        + "name: mlflow-env\n";
  }

  /** The Spark that writes {@code sparkml/}; pyspark of the same version reads it. */
  static String runningSparkVersion() {
    return org.apache.spark.package$.MODULE$.SPARK_VERSION();
  }

  private static void prepare(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> entries = Files.list(dir)) {
        if (entries.findAny().isPresent()) {
          throw new IllegalArgumentException("cannot write an MLflow model into " + dir
              + ": the directory is not empty");
        }
      }
    }
    Files.createDirectories(dir);
  }

  private static long totalSize(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  private static void writeString(Path file, String content) throws IOException {
    Files.writeString(file, content, StandardCharsets.UTF_8);
  }
}

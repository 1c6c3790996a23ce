package org.healthpredict.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.healthpredict.core.data.RawSchema;
import org.healthpredict.core.features.ModelFamily;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MlflowModelWriterTest {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path tmp;
  private static Path dir;

  @BeforeAll
  static void writeOnce() {
    dir = tmp.resolve("model");
    new MlflowModelWriter().forRun("0123456789abcdef0123456789abcdef", "model").write(dir,
        MlflowModelFixture.model(), MlflowModelFixture.metadata(), InputExample.of(MlflowModelFixture.record()));
  }

  @Test
  void writesTheFilesMlflowSparkSaveModelWrites() throws Exception {
    try (Stream<Path> top = Files.list(dir)) {
      assertThat(top.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(
          "sparkml", "code", "MLmodel", "input_example.json", "serving_input_example.json", "requirements.txt",
          "python_env.yaml", "conda.yaml", "health_predict.json");
    }
    assertThat(dir.resolve("sparkml/metadata")).isDirectory();
    assertThat(dir.resolve("sparkml/stages")).isDirectory();
    assertThat(Files.readAllLines(dir.resolve("requirements.txt")))
        .containsExactly("mlflow==3.17.2", "pyspark==" + MlflowModelWriter.runningSparkVersion());
    JsonNode pythonEnv = YAML.readTree(dir.resolve("python_env.yaml").toFile());
    assertThat(pythonEnv.get("python").asText()).isEqualTo(MlflowModelWriter.PYTHON_VERSION);
    assertThat(pythonEnv.at("/dependencies/0").asText()).isEqualTo("-r requirements.txt");
    JsonNode conda = YAML.readTree(dir.resolve("conda.yaml").toFile());
    assertThat(conda.at("/dependencies/2/pip").toString()).contains("mlflow==3.17.2", "pyspark==");
  }

  @Test
  void mlmodelIsYamlWithTheSparkAndPythonFunctionFlavors() throws Exception {
    JsonNode m = mlmodel();
    assertThat(m.get("artifact_path").asText()).isEqualTo("model");
    assertThat(m.get("run_id").asText()).isEqualTo("0123456789abcdef0123456789abcdef");
    assertThat(m.get("mlflow_version").asText()).isEqualTo("3.17.2");
    assertThat(m.get("model_uuid").asText()).matches("[0-9a-f]{32}");
    assertThat(m.get("utc_time_created").isTextual()).isTrue();
    assertThat(m.get("utc_time_created").asText()).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{6}");
    assertThat(m.get("model_size_bytes").asLong()).isPositive();

    JsonNode spark = m.at("/flavors/spark");
    assertThat(spark.get("pyspark_version").asText()).isEqualTo("4.1.0");
    assertThat(spark.get("model_data").asText()).isEqualTo("sparkml");
    assertThat(spark.get("code").asText()).isEqualTo("code");
    assertThat(spark.get("model_class").asText()).isEqualTo("pyspark.ml.pipeline.PipelineModel");

    JsonNode pyfunc = m.at("/flavors/python_function");
    assertThat(pyfunc.get("loader_module").asText()).isEqualTo("mlflow.spark");
    assertThat(pyfunc.get("data").asText()).isEqualTo("sparkml");
    assertThat(pyfunc.get("code").asText()).isEqualTo("code");
    assertThat(pyfunc.get("python_version").asText()).isEqualTo(MlflowModelWriter.PYTHON_VERSION);
    assertThat(pyfunc.at("/env/conda").asText()).isEqualTo("conda.yaml");
    assertThat(pyfunc.at("/env/virtualenv").asText()).isEqualTo("python_env.yaml");

    JsonNode example = m.get("saved_input_example_info");
    assertThat(example.get("artifact_path").asText()).isEqualTo("input_example.json");
    assertThat(example.get("type").asText()).isEqualTo("dataframe");
    assertThat(example.get("pandas_orient").asText()).isEqualTo("split");
    assertThat(example.get("serving_input_path").asText()).isEqualTo("serving_input_example.json");
  }

  @Test
  void shipsPysparkWrappersForOurOwnStagesOnly() throws Exception {
    // PySpark imports org.healthpredict.core.features.<Stage> for each of our Java stages.
    for (String pkg : List.of("org", "org/healthpredict", "org/healthpredict/core")) {
      assertThat(dir.resolve("code").resolve(pkg).resolve("__init__.py")).isEmptyFile();
    }
    String features = Files.readString(dir.resolve("code/org/healthpredict/core/features/__init__.py"));
    assertThat(features)
        .contains("class EngineeredFeatures(JavaTransformer, JavaMLReadable, JavaMLWritable):")
        .contains("class FillMissingCategories(JavaTransformer, JavaMLReadable, JavaMLWritable):")
        .contains("class TopCategoriesModel(JavaModel, JavaMLReadable, JavaMLWritable):")
        .doesNotContain("StringIndexer", "GBTClassificationModel");
    assertThat(dir.resolve("code/org/apache")).doesNotExist();
  }

  @Test
  void signatureListsTheRawColumnsWithTheirTypes() throws Exception {
    JsonNode signature = mlmodel().get("signature");
    // MLflow stores the specs as JSON text inside the YAML, not as YAML lists.
    assertThat(signature.get("inputs").isTextual()).isTrue();
    JsonNode inputs = JSON.readTree(signature.get("inputs").asText());
    List<String> names = new ArrayList<>();
    inputs.forEach(spec -> names.add(spec.get("name").asText()));
    List<String> raw = new ArrayList<>(RawSchema.columns());
    raw.remove(RawSchema.READMITTED);
    assertThat(names).isEqualTo(raw).hasSize(49).doesNotContain(RawSchema.TARGET);

    Map<String, String> types = new LinkedHashMap<>();
    Map<String, Boolean> required = new LinkedHashMap<>();
    inputs.forEach(spec -> {
      types.put(spec.get("name").asText(), spec.get("type").asText());
      required.put(spec.get("name").asText(), spec.get("required").asBoolean());
    });
    assertThat(types).containsEntry("encounter_id", "long").containsEntry("patient_nbr", "long")
        .containsEntry("time_in_hospital", "integer").containsEntry("admission_type_id", "integer")
        .containsEntry("race", "string").containsEntry("diag_1", "string").containsEntry("metformin", "string");
    assertThat(required).containsEntry("encounter_id", true).containsEntry("discharge_disposition_id", true)
        .containsEntry("race", false).containsEntry("weight", false);

    assertThat(JSON.readTree(signature.get("outputs").asText()))
        .isEqualTo(JSON.readTree("[{\"type\": \"double\", \"required\": true}]"));
  }

  @Test
  void inputExampleIsTheRealSampleRecordInPandasSplitOrient() throws Exception {
    Row record = MlflowModelFixture.record();
    JsonNode example = JSON.readTree(dir.resolve("input_example.json").toFile());
    List<String> columns = new ArrayList<>();
    example.get("columns").forEach(c -> columns.add(c.asText()));
    assertThat(columns).isEqualTo(ModelInput.columns());
    assertThat(example.get("data")).hasSize(1);
    JsonNode values = example.get("data").get(0);
    for (int i = 0; i < columns.size(); i++) {
      Object expected = record.getAs(columns.get(i));
      JsonNode actual = values.get(i);
      if (expected == null) {
        assertThat(actual.isNull()).as(columns.get(i)).isTrue();
      } else if (expected instanceof String) {
        assertThat(actual.asText()).as(columns.get(i)).isEqualTo(expected);
      } else {
        assertThat(actual.numberValue().longValue()).as(columns.get(i)).isEqualTo(((Number) expected).longValue());
      }
    }
    JsonNode serving = JSON.readTree(dir.resolve("serving_input_example.json").toFile());
    assertThat(serving.get("dataframe_split")).isEqualTo(example);
  }

  @Test
  void metadataIsInMlmodelAndInItsOwnJsonFile() throws Exception {
    ModelMetadata expected = MlflowModelFixture.metadata();
    JsonNode own = JSON.readTree(dir.resolve("health_predict.json").toFile());
    assertThat(own.get("decision_threshold").asDouble()).isEqualTo(expected.decisionThreshold());
    assertThat(own.get("model_family").asText()).isEqualTo("gbt");
    assertThat(own.get("spark_version").asText()).isEqualTo(expected.sparkVersion());
    assertThat(own.get("features")).hasSize(expected.features().size());
    assertThat(own.at("/metrics/val_roc_auc").asDouble()).isEqualTo(expected.metrics().get("val_roc_auc"));
    assertThat(own.get("training_data")).isEqualTo(JSON.readTree(MlflowModelFixture.MANIFEST));
    JsonNode inMlmodel = mlmodel().get("metadata");
    assertThat(inMlmodel.get("decision_threshold").asDouble()).isEqualTo(expected.decisionThreshold());
    assertThat(inMlmodel.at("/training_data/input/sha256").asText()).startsWith("40de59eff229");
  }

  @Test
  void refusesToWriteIntoADirectoryThatIsNotEmpty() {
    assertThatThrownBy(() -> new MlflowModelWriter().write(dir, MlflowModelFixture.model(),
        MlflowModelFixture.metadata(), InputExample.of(MlflowModelFixture.record())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(dir.toString()).hasMessageContaining("not empty");
  }

  @Test
  void refusesMetadataNamingAnotherSparkVersion(@TempDir Path other) {
    ModelMetadata m = MlflowModelFixture.metadata();
    ModelMetadata wrong = new ModelMetadata(m.decisionThreshold(), m.trainingDataJson(), m.metrics(), m.features(),
        "3.5.1", ModelFamily.GBT);
    assertThatThrownBy(() -> new MlflowModelWriter().write(other.resolve("m"), MlflowModelFixture.model(), wrong,
        InputExample.of(MlflowModelFixture.record())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3.5.1");
  }

  @Test
  void inputExampleNamesAColumnWithTheWrongType() {
    Map<String, Object> values = new LinkedHashMap<>();
    Row record = MlflowModelFixture.record();
    for (StructField f : ModelInput.schema().fields()) {
      values.put(f.name(), record.getAs(f.name()));
    }
    values.put("time_in_hospital", "three");
    assertThatThrownBy(() -> InputExample.of(values))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'time_in_hospital' expects int").hasMessageContaining("three");
    values.remove("time_in_hospital");
    assertThatThrownBy(() -> InputExample.of(values)).hasMessageContaining("'time_in_hospital' is missing");
  }

  private static JsonNode mlmodel() throws Exception {
    return YAML.readTree(dir.resolve("MLmodel").toFile());
  }
}

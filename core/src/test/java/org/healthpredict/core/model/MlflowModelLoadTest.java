package org.healthpredict.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.healthpredict.core.data.RawSchema;
import org.healthpredict.core.testing.SampleData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MlflowModelLoadTest {

  @TempDir
  static Path tmp;
  private static Path dir;

  @BeforeAll
  static void writeOnce() {
    dir = tmp.resolve("model");
    new MlflowModelWriter().write(dir, MlflowModelFixture.model(), MlflowModelFixture.metadata(),
        InputExample.of(MlflowModelFixture.record()));
  }

  @Test
  void loadedModelPredictsIdenticallyOnTheSample() {
    MlflowModel loaded = MlflowModel.load(dir.toUri().toString());
    assertThat(scores(loaded.pipeline().transform(SampleData.typed())))
        .isEqualTo(scores(MlflowModelFixture.model().transform(SampleData.typed())));
    assertThat(loaded.modelUuid()).matches("[0-9a-f]{32}");
  }

  @Test
  void loadedMetadataEqualsWhatWasWritten() {
    assertThat(MlflowModel.load(dir).metadata()).contains(MlflowModelFixture.metadata());
  }

  @Test
  void loadedModelScoresRecordsWithOnlyTheSignatureColumns() {
    // What mlflow.pyfunc hands the model: the signature's columns, no label.
    Dataset<Row> inputOnly = SampleData.typed()
        .select(ModelInput.columns().stream().map(functions::col).toArray(Column[]::new));
    List<Row> scored = scores(MlflowModel.load(dir).pipeline().transform(inputOnly));
    assertThat(scored).isEqualTo(scores(MlflowModelFixture.model().transform(SampleData.typed())));
  }

  @Test
  void modelWrittenWithoutMetadataLoadsWithNone(@TempDir Path other) {
    Path bare = other.resolve("m");
    new MlflowModelWriter().writeWithoutMetadata(bare, MlflowModelFixture.model());
    assertThat(bare.resolve("input_example.json")).doesNotExist();
    MlflowModel loaded = MlflowModel.load(bare);
    assertThat(loaded.metadata()).isEmpty();
    assertThat(loaded.pipeline().stages()).hasSameSizeAs(MlflowModelFixture.model().stages());
  }

  @Test
  void directoryWithoutMlmodelFailsNamingIt(@TempDir Path other) throws Exception {
    Path empty = Files.createDirectories(other.resolve("not-a-model"));
    assertThatThrownBy(() -> MlflowModel.load(empty))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not-a-model")
        .hasMessageContaining("is not an MLflow model directory: it has no MLmodel file");
  }

  @Test
  void bareSparkModelDirectoryFailsWithAHint(@TempDir Path other) throws Exception {
    String bare = other.resolve("spark-only").toUri().toString();
    MlflowModelFixture.model().write().save(bare);
    assertThatThrownBy(() -> MlflowModel.load(bare))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("spark-only")
        .hasMessageContaining("looks like a bare Spark PipelineModel");
  }

  @Test
  void missingDirectoryFailsNamingIt(@TempDir Path other) {
    assertThatThrownBy(() -> MlflowModel.load(other.resolve("nowhere")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no model directory at").hasMessageContaining("nowhere");
  }

  @Test
  void mlmodelWithoutSparkFlavorFailsNamingTheFlavors(@TempDir Path other) throws Exception {
    Path sklearn = Files.createDirectories(other.resolve("sk"));
    Files.writeString(sklearn.resolve("MLmodel"), "flavors:\n  python_function:\n    loader_module: mlflow.sklearn\n"
        + "  sklearn:\n    pickled_model: model.pkl\n");
    assertThatThrownBy(() -> MlflowModel.load(sklearn))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sk/MLmodel")
        .hasMessageContaining("no 'spark' flavor")
        .hasMessageContaining("[python_function, sklearn]");
  }

  private static List<Row> scores(Dataset<Row> scored) {
    return scored.select(RawSchema.ENCOUNTER_ID, "probability", "prediction")
        .orderBy(RawSchema.ENCOUNTER_ID).collectAsList();
  }
}

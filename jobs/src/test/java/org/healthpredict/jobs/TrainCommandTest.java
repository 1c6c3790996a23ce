package org.healthpredict.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.SparkSession;
import org.healthpredict.core.model.MlflowModel;
import org.healthpredict.core.testing.MlflowServer;
import org.healthpredict.core.testing.SampleSplit;
import org.healthpredict.core.testing.TestSpark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** `train` against a real MLflow server, read back through MLflow's own REST API. */
class TrainCommandTest {

  private static final SparkSession spark = TestSpark.session();
  private static final Pattern RUN_ID = Pattern.compile("train: OK run=([0-9a-f]{32}) ");
  private static String split;
  private static MlflowServer mlflow;

  @BeforeAll
  static void splitSampleAndStartMlflow() {
    mlflow = MlflowServer.shared();
    split = SampleSplit.uri();
  }

  @Test
  void logsParamsMetricsDatasetAndModelToMlflow() {
    SplitCommandTest.Captured run = SplitCommandTest.capture(() -> HealthPredictCli.execute("train",
        "--data", split, "--model", "lr", "-p", "regParam=0.05", "--tracking-uri", mlflow.trackingUri(),
        "--experiment", "train-test"));

    assertThat(run.exit()).as(run.err()).isZero();
    Matcher m = RUN_ID.matcher(run.out());
    assertThat(m.find()).as(run.out()).isTrue();
    JsonNode logged = mlflow.get("/api/2.0/mlflow/runs/get", "run_id", m.group(1)).get("run");

    assertThat(logged.at("/info/status").asText()).isEqualTo("FINISHED");
    Map<String, String> params = keyValues(logged.at("/data/params"));
    assertThat(params).containsEntry("model_family", "lr").containsEntry("classifier.regParam", "0.05")
        .containsEntry("data_sha256", "40de59eff2292ce682add444b37f36a4279cfc392d5bac3b40d862fca8d6393a");
    Map<String, String> metrics = keyValues(logged.at("/data/metrics"));
    assertThat(Double.parseDouble(metrics.get("val_roc_auc"))).isBetween(0.5, 1.0);
    assertThat(Double.parseDouble(metrics.get("val_rows"))).isEqualTo(161.0);
    assertThat(metrics).containsKeys("val_pr_auc", "val_log_loss", "val_f1", "val_precision", "val_recall", "val_threshold");

    JsonNode dataset = logged.at("/inputs/dataset_inputs/0/dataset");
    assertThat(dataset.get("digest").asText()).isEqualTo("40de59eff2292ce6");
    assertThat(dataset.get("source").asText()).contains(split);
    assertThat(dataset.get("schema").asText()).contains("\"name\": \"readmitted_binary\"");

    JsonNode files = mlflow.get("/api/2.0/mlflow/artifacts/list", "run_id", m.group(1), "path", "model");
    List<String> paths = StreamSupport.stream(files.get("files").spliterator(), false)
        .map(f -> f.get("path").asText()).toList();
    assertThat(paths).contains("model/MLmodel", "model/sparkml", "model/input_example.json");
  }

  @Test
  void loggedModelLoadsAndScores() throws Exception {
    SplitCommandTest.Captured run = SplitCommandTest.capture(() -> HealthPredictCli.execute("train",
        "--data", split, "--model", "gbt", "-p", "maxIter=5", "-p", "maxDepth=3",
        "--tracking-uri", mlflow.trackingUri(), "--experiment", "train-test"));
    assertThat(run.exit()).as(run.err()).isZero();
    Matcher m = RUN_ID.matcher(run.out());
    assertThat(m.find()).isTrue();
    String experimentId = mlflow.get("/api/2.0/mlflow/runs/get", "run_id", m.group(1))
        .at("/run/info/experiment_id").asText();
    Path modelDir = mlflow.proxiedArtifactsDir().orElseThrow()
        .resolve(experimentId).resolve(m.group(1)).resolve("artifacts/model");

    MlflowModel logged = MlflowModel.load(modelDir);
    assertThat(logged.metadata()).isPresent();
    PipelineModel model = logged.pipeline();
    long scored = model.transform(spark.read().parquet(split + "/initial/test"))
        .filter("probability IS NOT NULL").count();
    assertThat(scored).isEqualTo(140);
    String manifest = new String(mlflow.getBytes("/api/2.0/mlflow-artifacts/artifacts/" + experimentId + "/"
        + m.group(1) + "/artifacts/data/split_manifest.json"), StandardCharsets.UTF_8);
    assertThat(manifest).contains("\"linesRead\" : 4999");
  }

  @Test
  void unknownClassifierParameterIsInvalidInputNamingKnownOnes() {
    SplitCommandTest.Captured run = SplitCommandTest.capture(() -> HealthPredictCli.execute("train",
        "--data", split, "--model", "rf", "-p", "maxDepht=4", "--tracking-uri", mlflow.trackingUri()));
    assertThat(run.exit()).isEqualTo(HealthPredictCli.EXIT_INVALID_INPUT);
    assertThat(run.err()).contains("unknown parameter 'maxDepht' for rf").contains("maxDepth");
  }

  @Test
  void unreachableTrackingServerFailsNamingIt() {
    SplitCommandTest.Captured run = SplitCommandTest.capture(() -> HealthPredictCli.execute("train",
        "--data", split, "--model", "lr", "--tracking-uri", "http://127.0.0.1:9", "--tracking-retry", "0"));
    assertThat(run.exit()).isEqualTo(HealthPredictCli.EXIT_FAILED);
    assertThat(run.err()).contains("cannot reach the MLflow tracking server at http://127.0.0.1:9");
  }

  private static Map<String, String> keyValues(JsonNode array) {
    Map<String, String> out = new HashMap<>();
    array.forEach(n -> out.put(n.get("key").asText(), n.get("value").asText()));
    return out;
  }
}

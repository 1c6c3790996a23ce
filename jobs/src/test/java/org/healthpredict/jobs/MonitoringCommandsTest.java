package org.healthpredict.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.healthpredict.core.testing.MlflowServer;
import org.healthpredict.core.testing.SampleSplit;
import org.healthpredict.core.testing.TestSpark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitoring loop through the CLI: `next-batch` cuts a batch, `train` retrains on the split plus
 * that batch, `drift` checks the batch with that model and logs to a real MLflow server.
 */
class MonitoringCommandsTest {

  private static final Pattern TRAIN_RUN = Pattern.compile("train: OK run=([0-9a-f]{32}) ");
  private static final Pattern DRIFT_RUN = Pattern.compile("mlflow=\\S+ run ([0-9a-f]{32})");
  private static String split;

  @TempDir
  Path dir;

  @BeforeAll
  static void sample() {
    TestSpark.session();
    split = SampleSplit.uri();
  }

  @Test
  void nextBatchCutsBatchesThenSaysNoMoreData() {
    String[] args = {"next-batch", "--future", split + "/future", "--batch-size", "2500",
        "--state", dir.resolve("cursor.json").toString(), "--out", dir.resolve("batches").toString()};
    SplitCommandTest.Captured first = SplitCommandTest.capture(() -> HealthPredictCli.execute(args));
    assertThat(first.exit()).as(first.err()).isZero();
    assertThat(lastLine(first.out())).startsWith("next-batch: OK batch=1 rows=2500 ");
    SplitCommandTest.Captured second = SplitCommandTest.capture(() -> HealthPredictCli.execute(args));
    assertThat(lastLine(second.out())).startsWith("next-batch: OK batch=2 ");
    SplitCommandTest.Captured third = SplitCommandTest.capture(() -> HealthPredictCli.execute(args));
    assertThat(third.exit()).isZero();
    assertThat(lastLine(third.out())).isEqualTo("NO_MORE_DATA");

    SplitCommandTest.Captured otherSize = SplitCommandTest.capture(() -> HealthPredictCli.execute("next-batch",
        "--future", split + "/future", "--batch-size", "100", "--state", dir.resolve("cursor.json").toString(),
        "--out", dir.resolve("batches").toString()));
    assertThat(otherSize.exit()).isEqualTo(HealthPredictCli.EXIT_INVALID_INPUT);
    assertThat(otherSize.err()).contains("cursor.json").contains("batches of 2500");
  }

  @Test
  void driftWithoutTrackingPrintsTheStatusLastAndWritesTheReport() throws Exception {
    Path report = dir.resolve("report");
    SplitCommandTest.Captured run = SplitCommandTest.capture(() -> HealthPredictCli.execute("drift",
        "--reference", split + "/initial/train", "--current", split + "/future", "--report", report.toString(),
        "--no-tracking", "--feature-test", "num_medications=psi:0.2"));

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(lastLine(run.out())).isIn("DRIFT_DETECTED", "NO_DRIFT");
    assertThat(run.out()).contains("drift: OK features=").contains("report=" + report + "/report.html");
    JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(report.resolve("report.json").toFile());
    assertThat(json.at("/summary/status").asText()).isEqualTo(lastLine(run.out()));
    assertThat(json.at("/rules/overrides/num_medications/test").asText()).isEqualTo("psi");
    assertThat(Files.readString(report.resolve("report.html"))).contains("<svg");
  }

  @Test
  void badDriftOptionsAreInvalidInputNamingThem() {
    SplitCommandTest.Captured unknown = SplitCommandTest.capture(() -> HealthPredictCli.execute("drift",
        "--reference", split + "/initial/train", "--current", split + "/future", "--report",
        dir.resolve("r").toString(), "--no-tracking", "--feature-test", "num_medication=ks"));
    assertThat(unknown.exit()).isEqualTo(HealthPredictCli.EXIT_INVALID_INPUT);
    assertThat(unknown.err()).contains("unknown feature 'num_medication'");
    SplitCommandTest.Captured missing = SplitCommandTest.capture(() -> HealthPredictCli.execute("drift",
        "--reference", split + "/initial/train", "--current", dir.resolve("nowhere").toString(), "--report",
        dir.resolve("r").toString(), "--no-tracking"));
    assertThat(missing.exit()).isEqualTo(HealthPredictCli.EXIT_INVALID_INPUT);
    assertThat(missing.err()).contains("the current data").contains("does not exist");
  }

  @Test
  void retrainOnSplitPlusBatchThenCheckTheBatchWithThatModelInMlflow() {
    MlflowServer mlflow = MlflowServer.shared();
    String batches = dir.resolve("batches").toString();
    assertThat(HealthPredictCli.execute("next-batch", "--future", split + "/future", "--batch-size", "1000",
        "--state", dir.resolve("cursor.json").toString(), "--out", batches)).isZero();
    String batch = batches + "/batch-00001";

    SplitCommandTest.Captured train = SplitCommandTest.capture(() -> HealthPredictCli.execute("train",
        "--data", split, "--data", batch, "--model", "lr", "--tracking-uri", mlflow.trackingUri(),
        "--experiment", "retrain-test"));
    assertThat(train.exit()).as(train.err()).isZero();
    Matcher trained = TRAIN_RUN.matcher(train.out());
    assertThat(trained.find()).as(train.out()).isTrue();
    JsonNode trainRun = mlflow.get("/api/2.0/mlflow/runs/get", "run_id", trained.group(1)).get("run");
    // The sample split's train part has 681 encounters; the batch adds 1,000.
    assertThat(keyValues(trainRun.at("/data/metrics"))).containsEntry("train_rows", "1681.0");
    assertThat(keyValues(trainRun.at("/data/params"))).containsEntry("data", split)
        .containsEntry("extra_train_data", batch);

    SplitCommandTest.Captured drift = SplitCommandTest.capture(() -> HealthPredictCli.execute("drift",
        "--reference", split + "/initial/train", "--current", batch, "--performance-reference", split + "/initial/test",
        "--model", "runs:/" + trained.group(1) + "/model", "--report", dir.resolve("report").toString(),
        "--tracking-uri", mlflow.trackingUri(), "--experiment", "monitoring-test"));
    assertThat(drift.exit()).as(drift.err()).isZero();
    Matcher logged = DRIFT_RUN.matcher(drift.out());
    assertThat(logged.find()).as(drift.out()).isTrue();
    JsonNode run = mlflow.get("/api/2.0/mlflow/runs/get", "run_id", logged.group(1)).get("run");
    Map<String, String> metrics = keyValues(run.at("/data/metrics"));
    assertThat(metrics).containsKeys("share_drifted_features", "drifted_features", "dataset_drift", "prediction_drift",
        "performance_drift", "drift_score.num_medications", "psi.age", "current_roc_auc", "reference_roc_auc");
    assertThat(keyValues(run.at("/data/params"))).containsEntry("current", batch)
        .containsEntry("model_uri", "runs:/" + trained.group(1) + "/model");
    assertThat(keyValues(run.at("/data/tags"))).containsEntry("health_predict.drift_status", lastLine(drift.out()));
    JsonNode files = mlflow.get("/api/2.0/mlflow/artifacts/list", "run_id", logged.group(1), "path", "drift");
    List<String> paths = StreamSupport.stream(files.get("files").spliterator(), false)
        .map(f -> f.get("path").asText()).toList();
    assertThat(paths).containsExactlyInAnyOrder("drift/report.json", "drift/report.html");
  }

  private static String lastLine(String out) {
    String[] lines = out.strip().split("\n");
    return lines[lines.length - 1].strip();
  }

  private static Map<String, String> keyValues(JsonNode array) {
    Map<String, String> out = new HashMap<>();
    array.forEach(n -> out.put(n.get("key").asText(), n.get("value").asText()));
    return out;
  }
}

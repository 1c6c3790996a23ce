package org.healthpredict.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.apache.spark.sql.SparkSession;
import org.healthpredict.core.testing.MlflowServer;
import org.healthpredict.core.testing.SampleSplit;
import org.healthpredict.core.testing.TestSpark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `tune` on the sample with a small budget, read back from a real MLflow server. */
class TuneCommandTest {

  private static final SparkSession spark = TestSpark.session();
  private static final Pattern OK = Pattern.compile("tune: OK run=([0-9a-f]{32}) trials=(\\d+) completed=(\\d+)");
  @TempDir static Path tmp;
  private static String split;
  private static MlflowServer mlflow;
  private static Path space;

  @BeforeAll
  static void splitSampleAndStartMlflow() throws Exception {
    mlflow = MlflowServer.shared();
    split = SampleSplit.uri();
    space = tmp.resolve("tiny-space.yaml");
    try (var in = TuneCommandTest.class.getResourceAsStream("/tiny-space.yaml")) {
      Files.write(space, in.readAllBytes());
    }
  }

  @Test
  void sweepLogsOneParentAndAChildPerTrialWithAshaDecisions() {
    SplitCommandTest.Captured run = SplitCommandTest.capture(() -> HealthPredictCli.execute("tune",
        "--data", split, "--space", space.toString(), "--max-trials", "9", "--max-concurrent", "2",
        "--tracking-uri", mlflow.trackingUri(), "--experiment", "tune-test"));

    assertThat(run.exit()).as(run.err()).isZero();
    Matcher m = OK.matcher(run.out());
    assertThat(m.find()).as(run.out()).isTrue();
    String parentId = m.group(1);
    assertThat(m.group(2)).isEqualTo("9");
    assertThat(run.out()).contains("trial 0 · rung 0 · ").contains("status: ");

    JsonNode parent = mlflow.get("/api/2.0/mlflow/runs/get", "run_id", parentId).get("run");
    assertThat(parent.at("/info/status").asText()).isEqualTo("FINISHED");
    Map<String, String> params = keyValues(parent.at("/data/params"));
    assertThat(params).containsEntry("eta", "3.0").containsEntry("max_trials", "9").containsKey("best.model_family")
        .containsEntry("promotion", "paper");
    Map<String, String> metrics = keyValues(parent.at("/data/metrics"));
    assertThat(metrics).containsKeys("best_val_pr_auc", "test_pr_auc", "test_roc_auc");
    // The logged model is the winning trial's own fit at R, not a refit: on validation it scores
    // exactly what the trial scored.
    assertThat(run.out()).contains("'s model from its run at R (trained on train), no refit");
    assertThat(Double.parseDouble(metrics.get("model_val_pr_auc"))).isEqualTo(Double.parseDouble(
        metrics.get("best_val_pr_auc")));
    assertThat(Double.parseDouble(metrics.get("trials_total"))).isEqualTo(9.0);

    List<String> artifacts = paths(mlflow.get("/api/2.0/mlflow/artifacts/list", "run_id", parentId, "path", "sweep"));
    assertThat(artifacts).contains("sweep/trials.csv", "sweep/rung_plot.png", "sweep/journal.jsonl");
    assertThat(paths(mlflow.get("/api/2.0/mlflow/artifacts/list", "run_id", parentId, "path", "model")))
        .contains("model/MLmodel", "model/sparkml");

    String experimentId = parent.at("/info/experiment_id").asText();
    JsonNode children = mlflow.post("/api/2.0/mlflow/runs/search", "{\"experiment_ids\": [\"" + experimentId
        + "\"], \"filter\": \"tags.mlflow.parentRunId = '" + parentId + "'\", \"max_results\": 100}").get("runs");
    assertThat(children).hasSize(9);
    int completed = 0;
    Map<Long, Integer> resultsPerStep = new java.util.TreeMap<>();
    for (JsonNode child : children) {
      Map<String, String> tags = keyValues(child.at("/data/tags"));
      String state = tags.get("health_predict.trial_state");
      String runId = child.at("/info/run_id").asText();
      List<Long> steps = new ArrayList<>();
      mlflow.get("/api/2.0/mlflow/metrics/get-history", "run_id", runId, "metric_key", "val_pr_auc")
          .get("metrics").forEach(h -> steps.add(h.get("step").asLong()));
      assertThat(steps).as("one result per rung, each rung once").doesNotHaveDuplicates();
      // A promoted GBT trial continues its previous rung's trees; other families start again.
      Map<Long, Double> reused = new java.util.TreeMap<>();
      mlflow.get("/api/2.0/mlflow/metrics/get-history", "run_id", runId, "metric_key", "iterations_reused")
          .get("metrics").forEach(h -> reused.put(h.get("step").asLong(), h.get("value").asDouble()));
      List<Long> rungs = steps.stream().sorted().toList();
      for (int i = 0; i < rungs.size(); i++) {
        boolean continued = i > 0 && "gbt".equals(tags.get("health_predict.model_family"));
        assertThat(reused.get(rungs.get(i))).as("iterations reused at %d", rungs.get(i))
            .isEqualTo(continued ? rungs.get(i - 1).doubleValue() : 0.0);
      }
      assertThat(child.at("/info/status").asText()).isEqualTo("FINISHED");
      steps.forEach(s -> resultsPerStep.merge(s, 1, Integer::sum));
      long top = steps.stream().mapToLong(Long::longValue).max().orElseThrow();
      if ("COMPLETED".equals(state)) {
        completed++;
        assertThat(top).as("a completed trial reached R").isEqualTo(18L);
        assertThat(steps).containsExactly(2L, 6L, 18L);
      } else {
        assertThat(state).isEqualTo("STOPPED");
        assertThat(top).as("a stopped trial never reached R").isLessThan(18L);
      }
    }
    assertThat(completed).isEqualTo(Integer.parseInt(m.group(3))).isGreaterThanOrEqualTo(1);
    // The paper's rule: trials wait at their rung and about a third of each rung goes on (9/3/1 when
    // no later result displaces an earlier promotion), far from everyone reaching R.
    assertThat(resultsPerStep.get(2L)).isEqualTo(9);
    assertThat(resultsPerStep.get(6L)).isBetween(3, 5);
    assertThat(resultsPerStep.get(18L)).isBetween(1, resultsPerStep.get(6L) - 1);
    String journal = new String(mlflow.getBytes("/api/2.0/mlflow-artifacts/artifacts/" + experimentId + "/" + parentId
        + "/artifacts/sweep/journal.jsonl"), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(journal).contains("\"action\":\"WAIT\"").contains("\"event\":\"decided\"");
  }

  @Test
  void anUnknownPromotionRuleFailsBeforeAnySparkWork() {
    SplitCommandTest.Captured run = SplitCommandTest.capture(() -> HealthPredictCli.execute("tune",
        "--data", split, "--space", space.toString(), "--promotion", "eventually", "--tracking-uri", "http://127.0.0.1:9"));
    assertThat(run.exit()).isEqualTo(HealthPredictCli.EXIT_INVALID_INPUT);
    assertThat(run.err()).contains("--promotion: expected paper or immediate, found 'eventually'");
  }

  @Test
  void badSearchSpaceFailsBeforeAnySparkWorkNamingTheKey() throws Exception {
    Path bad = tmp.resolve("bad-space.yaml");
    Files.writeString(bad, "families:\n  gbt:\n    resource: {kind: iterations, param: maxIter, min: 2, max: 18}\n"
        + "    params:\n      maxDepth: {int: [8, 2]}\n");
    SplitCommandTest.Captured run = SplitCommandTest.capture(() -> HealthPredictCli.execute("tune",
        "--data", split, "--space", bad.toString(), "--tracking-uri", "http://127.0.0.1:9"));
    assertThat(run.exit()).isEqualTo(HealthPredictCli.EXIT_INVALID_INPUT);
    assertThat(run.err()).contains("families.gbt.params.maxDepth");
  }

  private static List<String> paths(JsonNode list) {
    return StreamSupport.stream(list.get("files").spliterator(), false).map(f -> f.get("path").asText()).toList();
  }

  private static Map<String, String> keyValues(JsonNode array) {
    Map<String, String> out = new HashMap<>();
    array.forEach(n -> out.put(n.get("key").asText(), n.get("value").asText()));
    return out;
  }
}

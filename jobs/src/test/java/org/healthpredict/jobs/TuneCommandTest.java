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
  void sweepCrossValidatesTrialsStartsFromTheDefaultsAndLogsEveryDecision() {
    SplitCommandTest.Captured run = SplitCommandTest.capture(() -> HealthPredictCli.execute("tune",
        "--data", split, "--space", space.toString(), "--max-trials", "9", "--max-concurrent", "2", "--folds", "3",
        "--startup-trials", "3", "--tracking-uri", mlflow.trackingUri(), "--experiment", "tune-test"));

    assertThat(run.exit()).as(run.err()).isZero();
    Matcher m = OK.matcher(run.out());
    assertThat(m.find()).as(run.out()).isTrue();
    String parentId = m.group(1);
    assertThat(m.group(2)).isEqualTo("9");
    // The three families' defaults come first (in name order), at the top rung; sampled trials start at rung 0.
    assertThat(run.out()).contains("trial 0 · rung 2 · gbt ").contains("trial 1 · rung 2 · lr ")
        .contains("trial 2 · rung 2 · rf ").contains("trial 3 · rung 0 · ").contains("status: ")
        .contains("in 3 patient folds; test rows untouched until the winner is chosen")
        .contains("over 2 folds").contains("over 3 folds").contains("refitting trial ")
        .contains("(max_f1 on out-of-fold predictions)");

    JsonNode parent = mlflow.get("/api/2.0/mlflow/runs/get", "run_id", parentId).get("run");
    assertThat(parent.at("/info/status").asText()).isEqualTo("FINISHED");
    Map<String, String> params = keyValues(parent.at("/data/params"));
    assertThat(params).containsEntry("eta", "3.0").containsEntry("max_trials", "9").containsKey("best.model_family")
        .containsEntry("promotion", "paper").containsEntry("cv_folds", "3").containsEntry("sampler", "tpe")
        .containsEntry("selection", "one-se").containsEntry("fit_parts", "train+validation")
        .containsEntry("threshold_rule", "max_f1");
    Map<String, String> metrics = keyValues(parent.at("/data/metrics"));
    assertThat(metrics).containsKeys("best_val_roc_auc", "best_val_roc_auc_se", "cv_roc_auc", "cv_threshold",
        "test_pr_auc", "test_roc_auc", "test_precision", "test_recall");
    // The threshold is the out-of-fold one, applied unchanged to the test rows.
    assertThat(metrics.get("test_threshold")).isEqualTo(metrics.get("cv_threshold"));
    long fitRows = spark.read().parquet(split + "/initial/train").count()
        + spark.read().parquet(split + "/initial/validation").count();
    assertThat(Double.parseDouble(metrics.get("cv_rows"))).as("train + validation rows, each held out once; no test row")
        .isEqualTo((double) fitRows);
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
      mlflow.get("/api/2.0/mlflow/metrics/get-history", "run_id", runId, "metric_key", "val_roc_auc")
          .get("metrics").forEach(h -> steps.add(h.get("step").asLong()));
      assertThat(steps).as("one result per rung, each rung once").doesNotHaveDuplicates();
      // Folds grow with the rung: 2 at rung 0 (2 iterations or trees), all 3 from rung 1 on.
      Map<Long, Double> folds = history(runId, "cv_folds");
      steps.forEach(step -> assertThat(folds.get(step)).as("folds at %d", step).isEqualTo(step == 2L ? 2.0 : 3.0));
      assertThat(history(runId, "val_roc_auc_se")).as("a standard error at every rung").hasSameSizeAs(steps);
      // A promoted GBT trial continues each fold's trees from its previous rung; other families start again.
      Map<Long, Double> reused = history(runId, "iterations_reused");
      List<Long> rungs = steps.stream().sorted().toList();
      for (int i = 0; i < rungs.size(); i++) {
        boolean continued = i > 0 && "gbt".equals(tags.get("health_predict.model_family"));
        double foldsContinued = continued ? folds.get(rungs.get(i - 1)) : 0;
        assertThat(reused.get(rungs.get(i))).as("iterations reused at %d", rungs.get(i))
            .isEqualTo(continued ? rungs.get(i - 1) * foldsContinued : 0.0);
      }
      assertThat(child.at("/info/status").asText()).isEqualTo("FINISHED");
      steps.forEach(s -> resultsPerStep.merge(s, 1, Integer::sum));
      long top = steps.stream().mapToLong(Long::longValue).max().orElseThrow();
      if ("COMPLETED".equals(state)) {
        completed++;
        assertThat(top).as("a completed trial reached R").isEqualTo(18L);
      } else if ("DEGENERATE".equals(state)) {
        assertThat(history(runId, "degenerate").get(top)).isEqualTo(1.0);
      } else {
        assertThat(state).isEqualTo("STOPPED");
        assertThat(top).as("a stopped trial never reached R").isLessThan(18L);
      }
    }
    assertThat(completed).isEqualTo(Integer.parseInt(m.group(3))).isGreaterThanOrEqualTo(1);
    // Six sampled trials at rung 0 (the defaults skipped it); about a third of each rung goes on.
    assertThat(resultsPerStep.get(2L)).isEqualTo(6);
    assertThat(resultsPerStep.getOrDefault(6L, 0)).isBetween(1, 4);
    assertThat(resultsPerStep.get(18L)).isBetween(1, 3 + resultsPerStep.getOrDefault(6L, 0));
    String journal = new String(mlflow.getBytes("/api/2.0/mlflow-artifacts/artifacts/" + experimentId + "/" + parentId
        + "/artifacts/sweep/journal.jsonl"), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(journal).contains("\"action\":\"WAIT\"").contains("\"event\":\"decided\"").contains("\"folds\":3");
  }

  @Test
  void anUnknownSamplerFailsBeforeAnySparkWork() {
    SplitCommandTest.Captured run = SplitCommandTest.capture(() -> HealthPredictCli.execute("tune",
        "--data", split, "--space", space.toString(), "--sampler", "grid", "--tracking-uri", "http://127.0.0.1:9"));
    assertThat(run.exit()).isEqualTo(HealthPredictCli.EXIT_INVALID_INPUT);
    assertThat(run.err()).contains("--sampler: expected one of [tpe, random], found 'grid'");
  }

  private static Map<Long, Double> history(String runId, String metric) {
    Map<Long, Double> out = new java.util.TreeMap<>();
    mlflow.get("/api/2.0/mlflow/metrics/get-history", "run_id", runId, "metric_key", metric)
        .get("metrics").forEach(h -> out.put(h.get("step").asLong(), h.get("value").asDouble()));
    return out;
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

package org.healthpredict.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.spark.sql.SparkSession;
import org.healthpredict.core.sweep.FeaturisedData;
import org.healthpredict.core.testing.MlflowServer;
import org.healthpredict.core.testing.SampleSplit;
import org.healthpredict.core.testing.TestSpark;
import org.healthpredict.core.training.TrainingData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `tune --time-budget` on the sample with no trial limit: the budget alone ends the sweep.
 *
 * <p>The budget runs from the sweep's start, featurising included, so a fixed short one can be spent
 * before the first trial on a loaded machine. The budget here is a multiple of a featurising of the
 * same rows timed beforehand, with a floor: short on an idle machine, still room for trials on a busy one.
 * Logistic regression alone keeps the trainings in flight at the deadline short; its MLlib defaults,
 * trained first at the full resource, complete on the sample, so the sweep has a winner.
 */
class TuneTimeBudgetTest {

  private static final Pattern OK = Pattern.compile("tune: OK run=([0-9a-f]{32}) trials=(\\d+) completed=(\\d+)");
  private static final long MIN_BUDGET_SECONDS = 30;
  @TempDir static Path tmp;
  private static String split;
  private static MlflowServer mlflow;
  private static Path space;
  private static long budgetSeconds;

  @BeforeAll
  static void splitSampleStartMlflowAndTimeTheFeaturising() throws Exception {
    SparkSession spark = TestSpark.session();
    mlflow = MlflowServer.shared();
    split = SampleSplit.uri();
    space = tmp.resolve("lr-space.yaml");
    Files.writeString(space, """
        families:
          lr:
            resource: {kind: iterations, param: maxIter, min: 2, max: 18}
            params:
              regParam: {loguniform: [1.0e-3, 1.0]}
              elasticNetParam: {uniform: [0.0, 1.0]}
        """);
    long start = System.nanoTime();
    TrainingData data = TrainingData.ofSplit(spark, split);
    try (FeaturisedData featurised = FeaturisedData.prepare(data.train().unionByName(data.validation()), 3, 42)) {
      featurised.all().count();
    }
    long featurising = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start) + 1;
    budgetSeconds = Math.max(MIN_BUDGET_SECONDS, 2 * featurising);
  }

  @Test
  void aSweepWithOnlyATimeBudgetEndsOkAndStartsNoTrialAfterIt() {
    SplitCommandTest.Captured run = SplitCommandTest.capture(() -> HealthPredictCli.execute("tune",
        "--data", split, "--space", space.toString(), "--time-budget", budgetSeconds + "s", "--max-concurrent", "2",
        "--folds", "3", "--startup-trials", "3", "--tracking-uri", mlflow.trackingUri(),
        "--experiment", "tune-budget-test"));

    assertThat(run.exit()).as(run.err()).isZero();
    Matcher m = OK.matcher(run.out());
    assertThat(m.find()).as(run.out()).isTrue();
    String parentId = m.group(1);
    int trials = Integer.parseInt(m.group(2));
    assertThat(Integer.parseInt(m.group(3))).as("a trial completed, so there is a winner").isPositive();

    JsonNode parent = mlflow.get("/api/2.0/mlflow/runs/get", "run_id", parentId).get("run");
    assertThat(parent.at("/info/status").asText()).isEqualTo("FINISHED");
    assertThat(keyValues(parent.at("/data/params")))
        .containsEntry("time_budget_seconds", String.valueOf(budgetSeconds))
        .containsEntry("max_trials", "unlimited");

    // The budget starts before the sweep's run is created, so no trial may start later than this (give or
    // take the time a new trial's run takes to be created once it was handed out).
    long deadline = parent.at("/info/start_time").asLong() + budgetSeconds * 1000L + 2000;
    String experimentId = parent.at("/info/experiment_id").asText();
    JsonNode children = mlflow.post("/api/2.0/mlflow/runs/search", "{\"experiment_ids\": [\"" + experimentId
        + "\"], \"filter\": \"tags.mlflow.parentRunId = '" + parentId + "'\", \"max_results\": 1000}").get("runs");
    // No trial limit: the sweep ended because the budget did, with the trials started by then.
    assertThat(children).as("one run per trial").hasSize(trials);
    for (JsonNode child : children) {
      Map<String, String> tags = keyValues(child.at("/data/tags"));
      String trial = "trial " + tags.get("health_predict.trial_id");
      assertThat(child.at("/info/start_time").asLong()).as("%s started within the budget", trial)
          .isLessThanOrEqualTo(deadline);
      assertThat(child.at("/info/status").asText()).as(trial).isEqualTo("FINISHED");
      assertThat(tags.get("health_predict.trial_state")).as(trial).isIn("COMPLETED", "STOPPED", "DEGENERATE");
    }
  }

  private static Map<String, String> keyValues(JsonNode array) {
    Map<String, String> out = new HashMap<>();
    array.forEach(n -> out.put(n.get("key").asText(), n.get("value").asText()));
    return out;
  }
}

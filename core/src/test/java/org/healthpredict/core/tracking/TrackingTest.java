package org.healthpredict.core.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.healthpredict.core.testing.MlflowServer;
import org.healthpredict.core.testing.SharedMlflow;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Experiments, runs, params, metrics, tags and dataset inputs against a real MLflow server. */
@ExtendWith(SharedMlflow.class)
class TrackingTest {

  private static final double[] AUCS = {0.61, 0.72, 0.83};

  private static MlflowServer server;
  private static Tracking tracking;

  @BeforeAll
  static void connect(MlflowServer shared, Tracking connection) {
    server = shared;
    tracking = connection;
  }

  private static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID();
  }

  @Test
  void gettingAnExperimentTwiceCreatesItOnce() {
    String name = unique("readmission");

    Experiment first = tracking.experiment(name);
    Experiment second = tracking.experiment(name);

    assertThat(second.id()).isEqualTo(first.id());
    assertThat(first.name()).isEqualTo(name);
    JsonNode stored = server.get("/api/2.0/mlflow/experiments/get-by-name",
        "experiment_name", name).path("experiment");
    assertThat(stored.path("experiment_id").asText()).isEqualTo(first.id());
    assertThat(first.artifactLocation()).isEqualTo(stored.path("artifact_location").asText());
  }

  @Test
  void aDeletedExperimentIsReportedNotSilentlyReused() {
    String name = unique("deleted");
    Experiment experiment = tracking.experiment(name);
    server.post("/api/2.0/mlflow/experiments/delete",
        "{\"experiment_id\": \"" + experiment.id() + "\"}");

    assertThatThrownBy(() -> tracking.experiment(name))
        .isInstanceOf(TrackingException.class)
        .hasMessageContaining(name)
        .hasMessageContaining("deleted")
        .hasMessageContaining(server.trackingUri());
  }

  @Test
  void childRunsAreNestedUnderTheirParentWithParamsAndMetricHistory() {
    Experiment experiment = tracking.experiment(unique("sweep"));
    String parentId;
    List<String> childIds = new java.util.ArrayList<>();
    try (TrackedRun sweep = experiment.startRun("sweep")) {
      parentId = sweep.runId();
      sweep.logParams(Map.of("eta", 3, "maxRung", 27));
      for (int trial = 0; trial < 2; trial++) {
        try (TrackedRun child = sweep.startChild("trial-" + trial)) {
          childIds.add(child.runId());
          child.logParams(Map.of("maxDepth", 4 + trial, "numTrees", "50"));
          child.setTag("health_predict.trial", Integer.toString(trial));
          for (int rung = 0; rung < 3; rung++) {
            child.logMetric("val_auc", AUCS[rung] + trial / 100.0, rung,
                1_700_000_000_000L + rung);
          }
          child.finish();
        }
      }
      sweep.logMetric("best_val_auc", 0.81);
      sweep.finish();
    }

    LoggedRun parent = LoggedRun.read(server, parentId);
    assertThat(parent.status()).isEqualTo("FINISHED");
    assertThat(parent.runName()).isEqualTo("sweep");
    assertThat(parent.params()).containsEntry("eta", "3").containsEntry("maxRung", "27");
    assertThat(parent.tags()).doesNotContainKey(TrackedRun.PARENT_RUN_ID_TAG);

    for (int trial = 0; trial < 2; trial++) {
      String childId = childIds.get(trial);
      LoggedRun child = LoggedRun.read(server, childId);
      assertThat(child.status()).isEqualTo("FINISHED");
      assertThat(child.runName()).isEqualTo("trial-" + trial);
      assertThat(child.tags())
          .containsEntry(TrackedRun.PARENT_RUN_ID_TAG, parentId)
          .containsEntry("health_predict.trial", Integer.toString(trial));
      assertThat(child.params())
          .containsEntry("maxDepth", Integer.toString(4 + trial))
          .containsEntry("numTrees", "50");

      JsonNode history = server.get("/api/2.0/mlflow/metrics/get-history",
          "run_id", childId, "metric_key", "val_auc").path("metrics");
      double offset = trial / 100.0;
      assertThat(history)
          .extracting(m -> m.path("step").asLong(), m -> m.path("value").asDouble(),
              m -> m.path("timestamp").asLong())
          .containsExactlyInAnyOrder(
              tuple(0L, AUCS[0] + offset, 1_700_000_000_000L),
              tuple(1L, AUCS[1] + offset, 1_700_000_000_001L),
              tuple(2L, AUCS[2] + offset, 1_700_000_000_002L));
    }

    JsonNode children = server.post("/api/2.0/mlflow/runs/search",
        "{\"experiment_ids\": [\"" + experiment.id() + "\"], \"filter\": \"tags.`"
            + TrackedRun.PARENT_RUN_ID_TAG + "` = '" + parentId + "'\"}").path("runs");
    assertThat(children).extracting(r -> r.path("info").path("run_id").asText())
        .containsExactlyInAnyOrderElementsOf(childIds);
  }

  @Test
  void moreParamsAndMetricsThanOneBatchAllowsAreAllLogged() {
    Map<String, Object> params = new LinkedHashMap<>();
    IntStream.range(0, 250).forEach(i -> params.put("p" + i, i));
    Map<String, Double> metrics = new LinkedHashMap<>();
    IntStream.range(0, 1200).forEach(i -> metrics.put("m" + i, (double) i));
    String runId;
    try (TrackedRun run = tracking.experiment(unique("batches")).startRun("many")) {
      runId = run.runId();
      run.logParams(params);
      run.logMetrics(metrics, 7);
      run.finish();
    }

    LoggedRun logged = LoggedRun.read(server, runId);
    assertThat(logged.params()).hasSize(250).containsEntry("p249", "249");
    assertThat(logged.json().path("data").path("metrics")).hasSize(1200);
  }

  @Test
  void datasetInputAppearsInTheRunsInputsWithItsContext() {
    String runId;
    try (TrackedRun run = tracking.experiment(unique("inputs")).startRun("tune")) {
      runId = run.runId();
      run.logDatasetInput("split-manifest", "3f2a9c0d1e4b5a67", "s3a://hp-data/split/manifest.json",
          "{\"mlflow_colspec\": [{\"name\": \"readmitted_binary\", \"type\": \"integer\"}]}",
          "{\"num_rows\": 4999}", "training");
      run.finish();
    }

    JsonNode inputs = LoggedRun.read(server, runId).datasetInputs();
    assertThat(inputs).hasSize(1);
    JsonNode dataset = inputs.get(0).path("dataset");
    assertThat(dataset.path("name").asText()).isEqualTo("split-manifest");
    assertThat(dataset.path("digest").asText()).isEqualTo("3f2a9c0d1e4b5a67");
    assertThat(dataset.path("source_type").asText()).isEqualTo("s3");
    assertThat(dataset.path("source").asText())
        .isEqualTo("{\"uri\": \"s3a://hp-data/split/manifest.json\"}");
    assertThat(dataset.path("schema").asText()).contains("readmitted_binary");
    assertThat(dataset.path("profile").asText()).isEqualTo("{\"num_rows\": 4999}");
    assertThat(inputs.get(0).path("tags")).extracting(t -> t.path("key").asText(),
        t -> t.path("value").asText()).containsExactly(tuple(TrackedRun.DATA_CONTEXT_TAG, "training"));
  }

  @Test
  void aRunClosedAfterAnExceptionEndsFailed() {
    Experiment experiment = tracking.experiment(unique("failing"));
    String[] runId = new String[1];

    assertThatThrownBy(() -> {
      try (TrackedRun run = experiment.startRun("crashes")) {
        runId[0] = run.runId();
        run.logMetric("loss", 1.0);
        throw new IllegalStateException("training diverged");
      }
    }).isInstanceOf(IllegalStateException.class).hasMessage("training diverged");

    LoggedRun logged = LoggedRun.read(server, runId[0]);
    assertThat(logged.status()).isEqualTo("FAILED");
    assertThat(logged.tags()).containsKey(TrackedRun.FAILURE_TAG);
    assertThat(logged.json().path("info").path("end_time").asLong()).isPositive();
  }

  @Test
  void aRunFailedWithACauseRecordsTheCause() {
    String runId;
    try (TrackedRun run = tracking.experiment(unique("failing")).startRun("explicit")) {
      runId = run.runId();
      run.fail(new IllegalArgumentException("no rows in initial/train"));
    }

    LoggedRun logged = LoggedRun.read(server, runId);
    assertThat(logged.status()).isEqualTo("FAILED");
    assertThat(logged.tags().get(TrackedRun.FAILURE_TAG))
        .contains("IllegalArgumentException").contains("no rows in initial/train");
  }

  @Test
  void aFinishedRunStaysFinishedWhenClosed() {
    String runId;
    try (TrackedRun run = tracking.experiment(unique("finishing")).startRun("ok")) {
      runId = run.runId();
      run.finish();
      assertThat(run.isEnded()).isTrue();
    }

    LoggedRun logged = LoggedRun.read(server, runId);
    assertThat(logged.status()).isEqualTo("FINISHED");
    assertThat(logged.tags()).doesNotContainKey(TrackedRun.FAILURE_TAG);
  }
}

package org.healthpredict.core.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.healthpredict.core.testing.MlflowServer;
import org.healthpredict.core.testing.SharedMlflow;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading runs back and taking them up again, what a sweep driver needs after a crash, against a
 * real MLflow server.
 */
@ExtendWith(SharedMlflow.class)
class TrackingResumeTest {

  private static MlflowServer server;
  private static Tracking tracking;

  @TempDir
  Path tmp;

  @BeforeAll
  static void connect(MlflowServer shared, Tracking connection) {
    server = shared;
    tracking = connection;
  }

  private static Experiment newExperiment(String prefix) {
    return tracking.experiment(prefix + "-" + UUID.randomUUID());
  }

  @Test
  void aFailedRunReopenedAndFinishedEndsFinishedInTheSameRun() {
    Experiment experiment = newExperiment("reopen");
    String runId;
    try (TrackedRun run = experiment.startRun("sweep")) {
      runId = run.runId();
      run.logMetric("best_val_auc", 0.6, 0);
      // closed without finish(): the driver "died"
    }
    assertThat(LoggedRun.read(server, runId).status()).isEqualTo("FAILED");

    try (TrackedRun reopened = tracking.reopenRun(runId)) {
      assertThat(LoggedRun.read(server, runId).status()).isEqualTo("RUNNING");
      assertThat(reopened.runId()).isEqualTo(runId);
      assertThat(reopened.runName()).isEqualTo("sweep");
      assertThat(reopened.experiment().id()).isEqualTo(experiment.id());
      assertThat(reopened.experiment().name()).isEqualTo(experiment.name());
      assertThat(reopened.artifactUri()).isEqualTo(LoggedRun.read(server, runId).artifactUri());
      reopened.logMetric("best_val_auc", 0.7, 1);
      try (TrackedRun child = reopened.startChild("trial-9")) {
        child.finish();
      }
      reopened.finish();
    }

    LoggedRun logged = LoggedRun.read(server, runId);
    assertThat(logged.status()).isEqualTo("FINISHED");
    assertThat(logged.tags()).doesNotContainKey(TrackedRun.FAILURE_TAG)
        .containsEntry(TrackedRun.PREVIOUS_FAILURE_TAG,
            "closed without finish(): the work it tracked did not complete");
    assertThat(server.get("/api/2.0/mlflow/metrics/get-history", "run_id", runId,
        "metric_key", "best_val_auc").path("metrics")).hasSize(2);
    assertThat(tracking.childRuns(runId)).extracting(StoredRun::runName)
        .containsExactly("trial-9");
  }

  @Test
  void aReopenedRunThatIsClosedAgainWithoutFinishingEndsFailedAgain() {
    String runId;
    try (TrackedRun run = newExperiment("reopen").startRun("sweep")) {
      runId = run.runId();
      run.finish();
    }

    try (TrackedRun reopened = tracking.reopenRun(runId)) {
      assertThat(reopened.isEnded()).isFalse();
    }

    assertThat(tracking.runInfo(runId).status()).isEqualTo(StoredRun.Status.FAILED);
  }

  @Test
  void reopeningAnUnknownOrDeletedRunIsRefusedNamingTheRun() {
    String unknown = UUID.randomUUID().toString().replace("-", "");
    assertThatThrownBy(() -> tracking.reopenRun(unknown))
        .isInstanceOf(TrackingException.class)
        .hasMessageContaining(unknown)
        .hasMessageContaining(server.trackingUri());

    String runId;
    try (TrackedRun run = newExperiment("deleted-run").startRun("gone")) {
      runId = run.runId();
      run.finish();
    }
    server.post("/api/2.0/mlflow/runs/delete", "{\"run_id\": \"" + runId + "\"}");
    assertThatThrownBy(() -> tracking.reopenRun(runId))
        .isInstanceOf(TrackingException.class)
        .hasMessageContaining(runId)
        .hasMessageContaining("deleted");

    assertThatThrownBy(() -> tracking.runInfo("x' OR '1'='1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not an MLflow run id");
  }

  @Test
  void runInfoReportsStatusTagsParamsAndLatestMetrics() {
    Experiment experiment = newExperiment("info");
    String runId;
    try (TrackedRun run = experiment.startRun("trial-3")) {
      runId = run.runId();
      run.logParams(Map.of("maxDepth", 5, "impurity", "gini"));
      run.setTag("health_predict.trial", "3");
      run.logMetric("val_auc", 0.61, 0, 1_000L);
      run.logMetric("val_auc", 0.1 + 0.2, 1, 2_000L);
      run.logMetric("loss", Double.NaN, 0);
      run.fail(new IllegalStateException("out of memory"));
    }

    StoredRun stored = tracking.runInfo(runId);

    assertThat(stored.runId()).isEqualTo(runId);
    assertThat(stored.runName()).isEqualTo("trial-3");
    assertThat(stored.experimentId()).isEqualTo(experiment.id());
    assertThat(stored.status()).isEqualTo(StoredRun.Status.FAILED);
    assertThat(stored.params()).containsEntry("maxDepth", "5").containsEntry("impurity", "gini");
    assertThat(stored.tags()).containsEntry("health_predict.trial", "3")
        .containsKey(TrackedRun.FAILURE_TAG);
    assertThat(stored.metrics().get("val_auc")).isEqualTo(0.1 + 0.2);
    assertThat(stored.metrics().get("loss")).isNaN();
    assertThat(stored.parentRunId()).isEmpty();
    assertThat(stored.startTimeMillis()).isPositive();
  }

  @Test
  void childRunsListsEveryChildOfTheParentAcrossPagesOldestFirst() {
    Experiment experiment = newExperiment("children");
    String parentId;
    List<String> childIds = new ArrayList<>();
    try (TrackedRun sweep = experiment.startRun("sweep");
        TrackedRun otherSweep = experiment.startRun("other-sweep")) {
      parentId = sweep.runId();
      for (int trial = 0; trial < 5; trial++) {
        try (TrackedRun child = sweep.startChild("trial-" + trial)) {
          childIds.add(child.runId());
          child.logParam("trial", trial);
          if (trial % 2 == 0) {
            child.finish();
          }
        }
      }
      try (TrackedRun stranger = otherSweep.startChild("trial-0")) {
        stranger.finish();
      }
      sweep.finish();
      otherSweep.finish();
    }

    List<StoredRun> children = tracking.childRuns(parentId, 2);

    // Runs started in the same millisecond may come in either order.
    assertThat(children).extracting(StoredRun::runId).containsExactlyInAnyOrderElementsOf(childIds);
    assertThat(children).extracting(StoredRun::startTimeMillis).isSorted();
    for (StoredRun child : children) {
      int trial = childIds.indexOf(child.runId());
      assertThat(child.runName()).isEqualTo("trial-" + trial);
      assertThat(child.params()).containsEntry("trial", Integer.toString(trial));
      assertThat(child.status()).isEqualTo(trial % 2 == 0
          ? StoredRun.Status.FINISHED : StoredRun.Status.FAILED);
    }
    assertThat(children).allSatisfy(child ->
        assertThat(child.parentRunId()).contains(parentId));
    assertThat(tracking.childRuns(parentId)).isEqualTo(children);
    assertThat(tracking.childRuns(childIds.get(0))).isEmpty();
  }

  @Test
  void anArtifactUploadedThroughTheProxyReadsBackByteForByte() throws Exception {
    byte[] binary = new byte[200_000];
    new Random(7).nextBytes(binary);
    Path file = Files.write(tmp.resolve("weights.bin"), binary);
    String runId;
    try (TrackedRun run = newExperiment("read-proxied").startRun("fit")) {
      runId = run.runId();
      run.logArtifact(file, "model");
      run.logText("{\"events\": 3}\n", "sweep/read me.json");
      assertThat(run.readArtifact("model/weights.bin")).hasValue(binary);
      run.finish();
    }
    assertThat(tracking.runInfo(runId).artifactUri()).startsWith("mlflow-artifacts:");

    assertThat(tracking.readArtifact(runId, "model/weights.bin")).hasValue(binary);
    assertThat(tracking.readArtifact(runId, "sweep/read me.json")
        .map(bytes -> new String(bytes, StandardCharsets.UTF_8))).hasValue("{\"events\": 3}\n");
    assertThat(tracking.readArtifact(runId, "sweep/missing.jsonl")).isEmpty();
    assertThatThrownBy(() -> tracking.readArtifact(runId, "model"))
        .isInstanceOf(TrackingException.class).hasMessageContaining("model");
    assertThatThrownBy(() -> tracking.readArtifact(runId, "../other/x"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void anArtifactWrittenStraightToAFileRootReadsBackAndAMissingOneIsEmpty() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("artifact-root"));
    try (MlflowServer direct = MlflowServer.startWithoutArtifactProxy(root.toUri().toString());
        Tracking directTracking = Tracking.connect(direct.trackingUri())) {
      String runId;
      try (TrackedRun run = directTracking.experiment("direct-read").startRun("fit")) {
        runId = run.runId();
        run.logText("line 1\nline 2\n", "sweep/journal.jsonl");
        run.finish();
      }
      assertThat(directTracking.runInfo(runId).artifactUri()).startsWith("file:");

      assertThat(directTracking.readArtifact(runId, "sweep/journal.jsonl"))
          .hasValue("line 1\nline 2\n".getBytes(StandardCharsets.UTF_8));
      assertThat(directTracking.readArtifact(runId, "sweep/none.jsonl")).isEmpty();
      assertThatThrownBy(() -> directTracking.readArtifact(runId, "sweep"))
          .isInstanceOf(TrackingException.class).hasMessageContaining("directory");

      // Reopened, the run writes and reads the same root.
      try (TrackedRun reopened = directTracking.reopenRun(runId)) {
        reopened.logText("line 3\n", "sweep/journal.jsonl");
        assertThat(reopened.readArtifact("sweep/journal.jsonl"))
            .hasValue("line 3\n".getBytes(StandardCharsets.UTF_8));
        reopened.finish();
      }
      assertThat(LoggedRun.read(direct, runId).status()).isEqualTo("FINISHED");
    }
  }
}

package org.healthpredict.core.tracking;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** An MLflow experiment, in which runs are started; get one with {@link Tracking#experiment}. */
public final class Experiment {

  private final Tracking tracking;
  private final String id;
  private final String name;
  private final String artifactLocation;

  Experiment(Tracking tracking, String id, String name, String artifactLocation) {
    this.tracking = tracking;
    this.id = id;
    this.name = name;
    this.artifactLocation = artifactLocation;
  }

  public String id() {
    return id;
  }

  public String name() {
    return name;
  }

  /** Where runs of this experiment keep artifacts, e.g. {@code mlflow-artifacts:/1}. */
  public String artifactLocation() {
    return artifactLocation;
  }

  /** Starts a top-level run; end it with {@link TrackedRun#finish()} (see {@link TrackedRun}). */
  public TrackedRun startRun(String runName) {
    return start(runName, null);
  }

  /**
   * Starts a run nested under another run of this experiment (MLflow shows it below the parent),
   * e.g. one trial of a sweep.
   */
  public TrackedRun startChildRun(String runName, String parentRunId) {
    if (parentRunId == null || parentRunId.isBlank()) {
      throw new IllegalArgumentException("a child run needs its parent's run id");
    }
    return start(runName, parentRunId);
  }

  private TrackedRun start(String runName, String parentRunId) {
    if (runName == null || runName.isBlank()) {
      throw new IllegalArgumentException("a run needs a name");
    }
    Map<String, Object> request = new LinkedHashMap<>();
    request.put("experiment_id", id);
    request.put("run_name", runName);
    request.put("start_time", System.currentTimeMillis());
    request.put("user_id", System.getProperty("user.name", ""));
    if (parentRunId != null) {
      request.put("tags", List.of(Map.of("key", TrackedRun.PARENT_RUN_ID_TAG, "value", parentRunId)));
    }
    String what = "start run '" + runName + "' in experiment '" + name + "'";
    long startTime = (Long) request.get("start_time");
    JsonNode info = tracking.http().create(what, "runs/create", request,
            () -> findStarted(runName, startTime, parentRunId))
        .orElseThrow(() -> new TrackingException("cannot " + what + " at "
            + tracking.trackingUri() + ": the experiment does not exist (deleted?)"))
        .path("run").path("info");
    return new TrackedRun(tracking, this, info.path("run_id").asText(), runName,
        info.path("artifact_uri").asText());
  }

  /**
   * The run a lost {@code runs/create} answer may have made: same name, start time (to the
   * millisecond) and parent, shaped like the create's answer.
   */
  private Optional<JsonNode> findStarted(String runName, long startTime, String parentRunId) {
    StringBuilder filter = new StringBuilder("attributes.start_time = " + startTime);
    if (!runName.contains("'")) {
      filter.append(" AND attributes.run_name = '").append(runName).append("'");
    }
    if (parentRunId != null) {
      filter.append(" AND tags.`" + TrackedRun.PARENT_RUN_ID_TAG + "` = '").append(parentRunId).append("'");
    }
    JsonNode answer = tracking.restSendJson("look for run '" + runName + "' whose start was not answered",
        "POST", "runs/search", Map.of("experiment_ids", List.of(id), "filter", filter.toString()))
        .orElseThrow(() -> new TrackingException("experiment '" + name + "' (" + id + ") is gone from "
            + tracking.trackingUri()));
    for (JsonNode run : answer.path("runs")) {
      if (run.path("info").path("run_name").asText().equals(runName)) {
        return Optional.of(Json.MAPPER.createObjectNode().set("run", run));
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return "Experiment[" + name + " (" + id + ")]";
  }
}

package org.healthpredict.core.tracking;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A run as the tracking server has stored it (status, tags, params, latest metric values), read
 * back with {@link Tracking#runInfo} or {@link Tracking#childRuns}, e.g. to see which trials of a
 * crashed sweep had finished.
 */
public record StoredRun(String runId, String runName, String experimentId, Status status,
    String artifactUri, long startTimeMillis, Map<String, String> tags, Map<String, String> params,
    Map<String, Double> metrics) {

  /** MLflow's run statuses. */
  public enum Status { RUNNING, SCHEDULED, FINISHED, FAILED, KILLED }

  public StoredRun {
    tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
    params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
  }

  /** The run this one is nested under, if it is a child run. */
  public Optional<String> parentRunId() {
    return Optional.ofNullable(tags.get(TrackedRun.PARENT_RUN_ID_TAG));
  }

  /** Builds one from a {@code run} object of MLflow's REST answers (runs/get, runs/search). */
  static StoredRun fromJson(JsonNode run) {
    JsonNode info = run.path("info");
    JsonNode data = run.path("data");
    Map<String, Double> metrics = new LinkedHashMap<>();
    // MLflow answers with the latest value per key; NaN and infinities come as strings.
    data.path("metrics").forEach(m -> metrics.put(m.path("key").asText(),
        m.path("value").isNumber() ? m.path("value").doubleValue()
            : Double.parseDouble(m.path("value").asText())));
    return new StoredRun(info.path("run_id").asText(), info.path("run_name").asText(),
        info.path("experiment_id").asText(),
        Status.valueOf(info.path("status").asText("RUNNING").toUpperCase(Locale.ROOT)),
        info.path("artifact_uri").asText(), info.path("start_time").asLong(),
        keyValues(data.path("tags")), keyValues(data.path("params")), metrics);
  }

  private static Map<String, String> keyValues(JsonNode array) {
    Map<String, String> map = new LinkedHashMap<>();
    array.forEach(entry -> map.put(entry.path("key").asText(), entry.path("value").asText()));
    return map;
  }
}

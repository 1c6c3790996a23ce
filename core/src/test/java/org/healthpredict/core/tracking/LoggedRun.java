package org.healthpredict.core.tracking;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import org.healthpredict.core.testing.MlflowServer;

/** A run as the MLflow server itself reports it (REST runs/get), for asserting what was logged. */
record LoggedRun(JsonNode json) {

  static LoggedRun read(MlflowServer server, String runId) {
    return new LoggedRun(server.get("/api/2.0/mlflow/runs/get", "run_id", runId).path("run"));
  }

  String status() {
    return json.path("info").path("status").asText();
  }

  String runName() {
    return json.path("info").path("run_name").asText();
  }

  String artifactUri() {
    return json.path("info").path("artifact_uri").asText();
  }

  Map<String, String> tags() {
    return keyValues(json.path("data").path("tags"));
  }

  Map<String, String> params() {
    return keyValues(json.path("data").path("params"));
  }

  JsonNode datasetInputs() {
    return json.path("inputs").path("dataset_inputs");
  }

  private static Map<String, String> keyValues(JsonNode array) {
    Map<String, String> map = new LinkedHashMap<>();
    array.forEach(entry -> map.put(entry.path("key").asText(), entry.path("value").asText()));
    return map;
  }
}

package org.healthpredict.core.registry;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One version of a registered model, as MLflow stores it.
 *
 * @param version MLflow's version number, as the REST API spells it ("1", "2", …)
 * @param source where the model's files are, e.g. {@code mlflow-artifacts:/1/<run>/artifacts/model}
 * @param status {@code PENDING_REGISTRATION}, {@code READY} or {@code FAILED_REGISTRATION}
 * @param currentStage the deprecated stage ("None", "Staging", "Production", "Archived")
 * @param aliases the aliases pointing at it; MLflow fills them in on model-versions/get only
 */
public record ModelVersion(String name, String version, String runId, String source,
    String status, String currentStage, Map<String, String> tags, List<String> aliases,
    long creationTimestamp) {

  public ModelVersion {
    tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
    aliases = List.copyOf(aliases);
  }

  public Optional<String> tag(String key) {
    return Optional.ofNullable(tags.get(key));
  }

  /** The version as a number, for ordering ("10" after "9"). */
  public long number() {
    return Long.parseLong(version);
  }

  static ModelVersion fromJson(JsonNode v) {
    List<String> aliases = new ArrayList<>();
    v.path("aliases").forEach(a -> aliases.add(a.asText()));
    return new ModelVersion(v.path("name").asText(), v.path("version").asText(),
        v.path("run_id").asText(), v.path("source").asText(), v.path("status").asText(),
        v.path("current_stage").asText("None"), RegistryJson.tags(v.path("tags")), aliases,
        v.path("creation_timestamp").asLong());
  }
}

package org.healthpredict.core.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reading MLflow's registry answers and writing audit lines. */
final class RegistryJson {

  static final ObjectMapper MAPPER = new ObjectMapper();

  private RegistryJson() {}

  /** MLflow's {@code [{"key": k, "value": v}, …]} tag lists; absent when there are none. */
  static Map<String, String> tags(JsonNode array) {
    Map<String, String> tags = new LinkedHashMap<>();
    array.forEach(tag -> tags.put(tag.path("key").asText(), tag.path("value").asText()));
    return tags;
  }
}

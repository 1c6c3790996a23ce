package org.healthpredict.core.registry;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A registered model as MLflow stores it: its aliases (alias → version) and tags, read in one
 * answer so that the champion and previous aliases are seen at the same moment.
 */
public record RegisteredModel(String name, Map<String, String> aliases, Map<String, String> tags) {

  public RegisteredModel {
    aliases = Collections.unmodifiableMap(new LinkedHashMap<>(aliases));
    tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
  }

  /** The version an alias points at, if it is set. */
  public Optional<String> alias(String alias) {
    return Optional.ofNullable(aliases.get(alias));
  }

  static RegisteredModel fromJson(JsonNode model) {
    Map<String, String> aliases = new LinkedHashMap<>();
    model.path("aliases").forEach(a -> aliases.put(a.path("alias").asText(),
        a.path("version").asText()));
    return new RegisteredModel(model.path("name").asText(), aliases,
        RegistryJson.tags(model.path("tags")));
  }
}

package org.healthpredict.core.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One line of a model's {@link AuditLog}: who did what to which version, the champion before and
 * after, and the metrics on both sides.
 *
 * @param version the version acted on: the candidate (promoted, rejected, pending, approved) or,
 *     for a rollback, the version restored as champion
 * @param championBefore the champion when the action started; null if there was none
 * @param championAfter the champion when it ended; null if there is none
 * @param metricsBefore the metrics of {@code championBefore} (empty if none)
 * @param metricsAfter the metrics of {@code version}, the side the action was about
 */
public record AuditEntry(Instant time, String actor, AuditAction action, String model,
    String version, String championBefore, String championAfter,
    Map<String, Double> metricsBefore, Map<String, Double> metricsAfter, String reason) {

  public AuditEntry {
    metricsBefore = Collections.unmodifiableMap(new LinkedHashMap<>(metricsBefore));
    metricsAfter = Collections.unmodifiableMap(new LinkedHashMap<>(metricsAfter));
  }

  public Optional<String> championBeforeVersion() {
    return Optional.ofNullable(championBefore);
  }

  public Optional<String> championAfterVersion() {
    return Optional.ofNullable(championAfter);
  }

  /** One JSON object on one line; non-finite metrics are written as strings ("NaN"). */
  String toJsonLine() {
    ObjectNode line = RegistryJson.MAPPER.createObjectNode();
    line.put("time", time.toString());
    line.put("actor", actor);
    line.put("action", action.jsonName());
    line.put("model", model);
    ObjectNode versions = line.putObject("versions");
    versions.put("version", version);
    versions.put("champion_before", championBefore);
    versions.put("champion_after", championAfter);
    ObjectNode metrics = line.putObject("metrics");
    metrics.set("before", RegistryJson.MAPPER.valueToTree(metricsBefore));
    metrics.set("after", RegistryJson.MAPPER.valueToTree(metricsAfter));
    line.put("reason", reason);
    return line.toString();
  }

  static AuditEntry fromJson(JsonNode line) {
    JsonNode versions = line.path("versions");
    JsonNode metrics = line.path("metrics");
    return new AuditEntry(Instant.parse(line.path("time").asText()),
        line.path("actor").asText(), AuditAction.fromJson(line.path("action").asText()),
        line.path("model").asText(), textOrNull(versions.path("version")),
        textOrNull(versions.path("champion_before")), textOrNull(versions.path("champion_after")),
        metrics(metrics.path("before")), metrics(metrics.path("after")),
        line.path("reason").asText());
  }

  private static String textOrNull(JsonNode node) {
    return node.isMissingNode() || node.isNull() ? null : node.asText();
  }

  private static Map<String, Double> metrics(JsonNode object) {
    Map<String, Double> out = new LinkedHashMap<>();
    object.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().isNumber()
        ? e.getValue().doubleValue() : Double.parseDouble(e.getValue().asText())));
    return out;
  }
}

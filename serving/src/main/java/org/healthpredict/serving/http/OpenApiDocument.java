package org.healthpredict.serving.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.healthpredict.serving.ServingConfig;
import org.healthpredict.serving.input.FieldRule;
import org.healthpredict.serving.input.RecordSchema;

/**
 * The OpenAPI 3.1 description of the service, built from the same {@link RecordSchema} the
 * request reader enforces, so the document cannot drift from the validation.
 */
final class OpenApiDocument {

  private static final ObjectMapper JSON = new ObjectMapper();

  private OpenApiDocument() {}

  static byte[] build(ServingConfig config) {
    ObjectNode root = JSON.createObjectNode();
    root.put("openapi", "3.1.0");
    ObjectNode info = root.putObject("info");
    info.put("title", "Health Predict scoring service");
    info.put("version", "1");
    info.put("description", "Scores diabetic encounters for readmission within 30 days with the promoted "
        + "Spark PipelineModel. Fields are the UCI Diabetes 130-US Hospitals columns; hyphenated medication "
        + "names are also accepted in snake_case. Missing values: null, \"?\" or leave the field out.");
    ObjectNode paths = root.putObject("paths");
    post(paths, "/predict", "Score one encounter", ref("Record"), "Prediction", true);
    post(paths, "/predict/batch", "Score up to " + config.maxBatchRecords() + " encounters, answered in order",
        batchBody(), "BatchPrediction", true);
    get(paths, "/model", "The serving model(s): name, version, run id, metrics, threshold, loaded-at");
    get(paths, "/health/live", "200 while the process can answer");
    get(paths, "/health/ready", "200 when a model is loaded and the server is not shutting down, else 503");
    get(paths, "/metrics", "Prometheus text exposition");
    get(paths, "/openapi.json", "This document");
    ObjectNode reload = post(paths, "/admin/reload", "Re-resolve the model URIs and swap atomically", null, null, false);
    reload.putArray("security").addObject().putArray("apiKey");
    ObjectNode components = root.putObject("components");
    components.putObject("securitySchemes").putObject("apiKey").put("type", "apiKey").put("in", "header")
        .put("name", ScoringServer.API_KEY);
    ObjectNode schemas = components.putObject("schemas");
    schemas.set("Record", recordSchema(config));
    schemas.set("Prediction", predictionSchema());
    schemas.set("BatchPrediction", JSON.createObjectNode().put("type", "object").put("description",
        "count, model {name, version}, predictions [{probability, label, variant, model_version}] in request order"));
    schemas.set("Error", JSON.createObjectNode().put("type", "object").put("description",
        "error, message, fields [{field, problem, expected}], request_id"));
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("the OpenAPI document is plain JSON", e);
    }
  }

  private static ObjectNode recordSchema(ServingConfig config) {
    RecordSchema schema = RecordSchema.get();
    ObjectNode record = JSON.createObjectNode().put("type", "object");
    record.put("additionalProperties", config.unknownFields() == org.healthpredict.serving.input.UnknownFields.IGNORE);
    ObjectNode props = record.putObject("properties");
    ArrayNode required = record.putArray("required");
    for (Map.Entry<String, FieldRule> e : schema.rulesByField().entrySet()) {
      props.set(e.getKey(), property(e.getValue()));
      if (e.getValue().required()) {
        required.add(e.getKey());
      }
    }
    return record;
  }

  private static ObjectNode property(FieldRule rule) {
    ObjectNode p = JSON.createObjectNode();
    if (rule instanceof FieldRule.Id) {
      p.putArray("type").add("integer").add("null");
      p.put("minimum", 1);
    } else if (rule instanceof FieldRule.IntRange r) {
      p.putArray("type").add("integer").add("null");
      p.put("minimum", r.min()).put("maximum", r.max()).put("description", r.meaning());
    } else if (rule instanceof FieldRule.Vocabulary v) {
      p.putArray("type").add("string").add("null");
      ArrayNode values = p.putArray("enum");
      new java.util.TreeSet<>(v.values()).forEach(values::add);
      values.add("?");
    } else if (rule instanceof FieldRule.FreeText t) {
      p.putArray("type").add("string").add("null");
      p.put("maxLength", t.maxLength()).put("description", "open category: unseen values are valid and score");
    } else {
      p.put("description", "accepted and ignored (a label column)");
    }
    return p;
  }

  private static ObjectNode predictionSchema() {
    ObjectNode s = JSON.createObjectNode().put("type", "object");
    ObjectNode props = s.putObject("properties");
    props.putObject("probability").put("type", "number").put("description", "readmission within 30 days");
    props.putObject("label").put("type", "integer").put("description", "1 when probability >= threshold");
    props.putObject("readmitted_within_30_days").put("type", "boolean");
    props.putObject("threshold").put("type", "number");
    props.putObject("model").put("type", "object").put("description", "name, version");
    props.putObject("variant").put("type", "string").putArray("enum").add("champion").add("challenger");
    props.putObject("request_id").put("type", "string");
    return s;
  }

  private static ObjectNode batchBody() {
    ObjectNode s = JSON.createObjectNode().put("type", "object");
    s.putObject("properties").putObject("records").put("type", "array").set("items", ref("Record"));
    s.putArray("required").add("records");
    return s;
  }

  private static ObjectNode ref(String name) {
    return JSON.createObjectNode().put("$ref", "#/components/schemas/" + name);
  }

  private static void get(ObjectNode paths, String path, String summary) {
    ObjectNode op = paths.putObject(path).putObject("get");
    op.put("summary", summary);
    op.putObject("responses").putObject("200").put("description", "OK");
  }

  private static ObjectNode post(ObjectNode paths, String path, String summary, ObjectNode body, String response,
      boolean scoring) {
    ObjectNode op = paths.putObject(path).putObject("post");
    op.put("summary", summary);
    if (body != null) {
      op.putObject("requestBody").put("required", true).putObject("content").putObject("application/json")
          .set("schema", body);
    }
    ObjectNode responses = op.putObject("responses");
    ObjectNode ok = responses.putObject("200").put("description", "OK");
    if (response != null) {
      ok.putObject("content").putObject("application/json").set("schema", ref(response));
    }
    if (scoring) {
      responses.putObject("400").put("description", "malformed JSON").set("content", errorContent());
      responses.putObject("401").put("description", "API key missing or invalid (when keys are configured)");
      responses.putObject("413").put("description", "body or batch over the limit").set("content", errorContent());
      responses.putObject("422").put("description", "fields do not match the record schema; every one is listed")
          .set("content", errorContent());
      responses.putObject("503").put("description", "no model loaded yet");
    }
    return op;
  }

  private static ObjectNode errorContent() {
    ObjectNode c = JSON.createObjectNode();
    c.putObject("application/json").set("schema", ref("Error"));
    return c;
  }
}

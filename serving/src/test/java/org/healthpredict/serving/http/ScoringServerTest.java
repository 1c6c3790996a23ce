package org.healthpredict.serving.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.healthpredict.core.data.RawSchema;
import org.healthpredict.core.testing.SampleData;
import org.healthpredict.serving.ServingConfig;
import org.healthpredict.serving.ServingModels;
import org.healthpredict.serving.input.RecordSchema;
import org.healthpredict.serving.input.UnknownFields;
import org.healthpredict.serving.model.LoadedModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every endpoint and every class of bad input, over real HTTP on loopback, with a real fitted model. */
class ScoringServerTest {

  private static final double THRESHOLD = 0.12;
  private static LoadedModel champion;
  private static RunningServer running;
  private static Http http;

  @BeforeAll
  static void start() {
    champion = ServingModels.loaded("3", ServingModels.lr(), THRESHOLD, "lr");
    ServingConfig config = ServingConfig.local("models:/HealthPredict@champion")
        .withLimits(5, 64 * 1024, UnknownFields.REJECT);
    running = RunningServer.of(config, champion);
    http = running.http;
  }

  @AfterAll
  static void stop() {
    running.close();
  }

  /** Spark's own probability for the sample record with this encounter id. */
  private static double sparkProbability(long encounterId) {
    Row row = ServingModels.lr().transform(SampleData.typed().where("encounter_id = " + encounterId))
        .select("probability").first();
    return ((Vector) row.get(0)).apply(1);
  }

  @Test
  void predictAnswersSparksProbabilityWithTheLabelAtTheThreshold() {
    for (int i : new int[] {0, 1, 2, 17, 99}) {
      ObjectNode record = ServingModels.record(i);
      Http.Response r = http.post("/predict", record.toString());
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      JsonNode body = r.json();
      double expected = sparkProbability(record.get("encounter_id").asLong());
      assertThat(body.get("probability").asDouble()).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-9));
      assertThat(body.get("label").asInt()).isEqualTo(expected >= THRESHOLD ? 1 : 0);
      assertThat(body.get("readmitted_within_30_days").asBoolean()).isEqualTo(expected >= THRESHOLD);
      assertThat(body.get("threshold").asDouble()).isEqualTo(THRESHOLD);
      assertThat(body.at("/model/name").asText()).isEqualTo("HealthPredict");
      assertThat(body.at("/model/version").asText()).isEqualTo("3");
      assertThat(body.get("variant").asText()).isEqualTo("champion");
      assertThat(r.headers().firstValue("X-Request-Id")).hasValueSatisfying(id -> assertThat(id)
          .isEqualTo(body.get("request_id").asText()));
    }
  }

  @Test
  void batchAnswersOneResultPerRecordInOrder() {
    List<ObjectNode> records = List.of(ServingModels.record(5), ServingModels.record(6), ServingModels.record(7));
    Http.Response r = http.post("/predict/batch", "{\"records\": " + records + "}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    JsonNode predictions = r.json().get("predictions");
    assertThat(r.json().get("count").asInt()).isEqualTo(3);
    for (int i = 0; i < records.size(); i++) {
      double single = http.post("/predict", records.get(i).toString()).json().get("probability").asDouble();
      assertThat(predictions.get(i).get("probability").asDouble()).isEqualTo(single);
      assertThat(predictions.get(i).get("model_version").asText()).isEqualTo("3");
    }
  }

  @Test
  void unseenCategoriesScore() {
    ObjectNode record = ServingModels.record(3).put("medical_specialty", "Space-Medicine").put("diag_1", "V99.9")
        .put("race", "Martian").put("admission_source_id", 99);
    Http.Response r = http.post("/predict", record.toString());
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().get("probability").asDouble()).isBetween(0.0, 1.0);
  }

  @Test
  void malformedJsonIs400WithAJsonError() {
    Http.Response r = http.post("/predict", "{\"age\": [10-20)}");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().get("error").asText()).isEqualTo("malformed_request");
    assertThat(r.json().get("message").asText()).contains("line 1");
  }

  @Test
  void invalidFieldsAre422NamingEveryOne() {
    ObjectNode record = ServingModels.record(0).put("num_medications", -1).put("age", "[100-110)")
        .put("gender", 3).put("A1C_result", ">8");
    record.remove("time_in_hospital");
    Http.Response r = http.post("/predict", record.toString());
    assertThat(r.status()).isEqualTo(422);
    JsonNode body = r.json();
    assertThat(body.get("error").asText()).isEqualTo("invalid_record");
    List<String> fields = new ArrayList<>();
    body.get("fields").forEach(f -> fields.add(f.get("field").asText() + ":" + f.get("problem").asText()));
    assertThat(fields).containsExactlyInAnyOrder("num_medications:out of range", "age:unknown value",
        "gender:wrong type", "A1C_result:unknown field", "time_in_hospital:missing");
  }

  @Test
  void bodiesAndBatchesOverTheLimitAre413() {
    byte[] big = ("{\"records\": [" + "1,".repeat(40_000) + "1]}").getBytes(StandardCharsets.UTF_8);
    Http.Response body = http.postBytes("/predict/batch", big);
    assertThat(body.status()).isEqualTo(413);
    assertThat(body.json().get("error").asText()).isEqualTo("too_large");
    List<ObjectNode> six = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      six.add(ServingModels.record(i));
    }
    Http.Response batch = http.post("/predict/batch", six.toString());
    assertThat(batch.status()).isEqualTo(413);
    assertThat(batch.json().get("message").asText()).contains("at most 5 records");
  }

  @Test
  void noClientInputProducesA5xx() {
    Random random = new Random(11);
    String valid = ServingModels.record(0).toString();
    for (int i = 0; i < 300; i++) {
      String body = switch (i % 4) {
        case 0 -> valid.substring(0, random.nextInt(valid.length()));
        case 1 -> mutate(valid, random);
        case 2 -> randomJson(random);
        default -> "[" + mutate(valid, random) + "]";
      };
      for (String path : List.of("/predict", "/predict/batch")) {
        Http.Response r = http.post(path, body);
        assertThat(r.status()).as("%s %s", path, body).isIn(200, 400, 413, 422);
        assertThat(r.body()).doesNotContain("Exception").doesNotContain("\tat ");
      }
    }
  }

  private static String mutate(String json, Random random) {
    char[] c = json.toCharArray();
    for (int k = 0; k < 3; k++) {
      String alphabet = "{}[]\":,0-a?\\";
      c[random.nextInt(c.length)] = alphabet.charAt(random.nextInt(alphabet.length()));
    }
    return new String(c);
  }

  private static String randomJson(Random random) {
    return switch (random.nextInt(5)) {
      case 0 -> "null";
      case 1 -> "\"text\"";
      case 2 -> "{\"age\": {\"nested\": [1, 2, {\"x\": null}]}}";
      case 3 -> "{\"time_in_hospital\": 99999999999999999999999}";
      default -> "";
    };
  }

  @Test
  void modelDescribesTheServingVersion() {
    JsonNode m = http.get("/model").json();
    assertThat(m.get("name").asText()).isEqualTo("HealthPredict");
    assertThat(m.get("version").asText()).isEqualTo("3");
    assertThat(m.get("run_id").asText()).isEqualTo("run-3");
    assertThat(m.get("threshold").asDouble()).isEqualTo(THRESHOLD);
    assertThat(m.at("/metrics/val_pr_auc").asDouble()).isEqualTo(0.25);
    assertThat(m.get("loaded_at").asText()).isEqualTo(champion.loadedAt().toString());
    assertThat(m.has("challenger")).isFalse();
  }

  @Test
  void healthProbesAnswer() {
    assertThat(http.get("/health/live").status()).isEqualTo(200);
    Http.Response ready = http.get("/health/ready");
    assertThat(ready.status()).isEqualTo(200);
    assertThat(ready.json().get("version").asText()).isEqualTo("3");
  }

  @Test
  void metricsCountRequestsPredictionsAndTheLoadedModel() {
    String before = http.get("/metrics").body();
    double okBefore = PrometheusText.value(before, "hp_requests_total", Map.of("route", "/predict", "status", "200",
        "variant", "champion"));
    double badBefore = PrometheusText.value(before, "hp_requests_total", Map.of("route", "/predict", "status", "422",
        "variant", "none"));
    for (int i = 0; i < 4; i++) {
      assertThat(http.post("/predict", ServingModels.record(i).toString()).status()).isEqualTo(200);
    }
    http.post("/predict", "{}");
    Http.Response metrics = http.get("/metrics");
    assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
    String text = metrics.body();
    assertThat(PrometheusText.value(text, "hp_requests_total", Map.of("route", "/predict", "status", "200",
        "variant", "champion"))).isEqualTo(okBefore + 4);
    assertThat(PrometheusText.value(text, "hp_requests_total", Map.of("route", "/predict", "status", "422",
        "variant", "none"))).isEqualTo(badBefore + 1);
    assertThat(PrometheusText.value(text, "hp_request_duration_seconds_count", Map.of("route", "/predict",
        "status", "200"))).isGreaterThanOrEqualTo(4);
    assertThat(PrometheusText.value(text, "hp_model_loaded", Map.of())).isEqualTo(1);
    assertThat(PrometheusText.value(text, "hp_model_info", Map.of("variant", "champion", "version", "3",
        "name", "HealthPredict", "family", "lr"))).isEqualTo(1);
    double labelled = PrometheusText.value(text, "hp_predictions_total", Map.of("label", "0", "variant", "champion"))
        + PrometheusText.value(text, "hp_predictions_total", Map.of("label", "1", "variant", "champion"));
    assertThat(labelled).isEqualTo(PrometheusText.value(text, "hp_score_count", Map.of("variant", "champion")));
  }

  @Test
  void openApiDescribesEveryRouteAndTheEnforcedRecordSchema() {
    JsonNode doc = http.get("/openapi.json").json();
    assertThat(doc.get("openapi").asText()).startsWith("3.1");
    Set<String> paths = new TreeSet<>();
    doc.get("paths").fieldNames().forEachRemaining(paths::add);
    assertThat(paths).containsExactlyInAnyOrder("/predict", "/predict/batch", "/model", "/health/live",
        "/health/ready", "/metrics", "/openapi.json", "/admin/reload");
    JsonNode record = doc.at("/components/schemas/Record");
    Set<String> required = new TreeSet<>();
    record.get("required").forEach(n -> required.add(n.asText()));
    assertThat(required).isEqualTo(new TreeSet<>(RecordSchema.get().requiredFields()));
    assertThat(record.at("/properties/time_in_hospital/maximum").asInt()).isEqualTo(14);
    assertThat(record.get("properties").size()).isEqualTo(RawSchema.typedSchema().fields().length);
  }

  @Test
  void unknownRoutesAndMethodsAnswerJson() {
    Http.Response missing = http.get("/predictions");
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.json().get("error").asText()).isEqualTo("not_found");
  }

  @Test
  void adminIsForbiddenWhenNoAdminKeyIsConfigured() {
    Http.Response r = http.post("/admin/reload", "");
    assertThat(r.status()).isEqualTo(403);
    assertThat(r.json().get("message").asText()).contains("ADMIN_API_KEYS");
  }
}

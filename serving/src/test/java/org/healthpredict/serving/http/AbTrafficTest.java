package org.healthpredict.serving.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import org.healthpredict.serving.ServingConfig;
import org.healthpredict.serving.ServingModels;
import org.healthpredict.serving.model.LoadedModel;
import org.healthpredict.serving.traffic.AbMode;
import org.junit.jupiter.api.Test;

/** Champion/challenger over HTTP: sticky per patient, the configured share, and shadow scoring. */
class AbTrafficTest {

  private static final String CHALLENGER_URI = "models:/HealthPredict@challenger";

  private static RunningServer server(AbMode mode, double share) {
    ServingConfig config = ServingConfig.local("models:/HealthPredict@champion")
        .withChallenger(CHALLENGER_URI, share, mode);
    LoadedModel champion = ServingModels.loaded("4", ServingModels.lr(), 0.5, "lr");
    LoadedModel challenger = ServingModels.loaded("5", ServingModels.gbt(), 0.5, "gbt");
    return new RunningServer(config, List.of(champion), List.of(challenger), true);
  }

  @Test
  void aPatientStaysWithOneVariantAndTheShareHolds() {
    try (RunningServer s = server(AbMode.SPLIT, 0.3)) {
      int patients = 300;
      int challenger = 0;
      for (int p = 0; p < patients; p++) {
        ObjectNode record = ServingModels.record(p % 50).put("patient_nbr", 1_000_000L + p);
        String first = s.http.post("/predict", record.toString()).json().get("variant").asText();
        // The same patient with another encounter: same variant.
        ObjectNode again = ServingModels.record((p + 7) % 50).put("patient_nbr", 1_000_000L + p);
        JsonNode second = s.http.post("/predict", again.toString()).json();
        assertThat(second.get("variant").asText()).isEqualTo(first);
        assertThat(second.at("/model/version").asText()).isEqualTo(first.equals("challenger") ? "5" : "4");
        challenger += first.equals("challenger") ? 1 : 0;
      }
      assertThat((double) challenger / patients).isBetween(0.22, 0.38);
      String metrics = s.http.get("/metrics").body();
      assertThat(PrometheusText.value(metrics, "hp_requests_total",
          Map.of("route", "/predict", "status", "200", "variant", "challenger"))).isEqualTo(2.0 * challenger);
      assertThat(PrometheusText.value(metrics, "hp_model_info",
          Map.of("variant", "challenger", "name", "HealthPredict", "version", "5", "family", "gbt"))).isEqualTo(1);
      JsonNode model = s.http.get("/model").json();
      assertThat(model.at("/challenger/version").asText()).isEqualTo("5");
      assertThat(model.at("/traffic/challenger_share").asDouble()).isEqualTo(0.3);
    }
  }

  @Test
  void shadowModeScoresBothAndTheChampionAnswers() {
    try (RunningServer s = server(AbMode.SHADOW, 1.0)) {
      for (int i = 0; i < 20; i++) {
        JsonNode r = s.http.post("/predict", ServingModels.record(i).toString()).json();
        assertThat(r.get("variant").asText()).isEqualTo("champion");
        assertThat(r.at("/model/version").asText()).isEqualTo("4");
      }
      String metrics = s.http.get("/metrics").body();
      double shadowScored = PrometheusText.value(metrics, "hp_score_count", Map.of("variant", "challenger"));
      assertThat(shadowScored).isEqualTo(20);
      assertThat(PrometheusText.value(metrics, "hp_score_count", Map.of("variant", "champion"))).isEqualTo(20);
    }
  }
}

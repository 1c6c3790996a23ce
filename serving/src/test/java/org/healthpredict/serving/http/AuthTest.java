package org.healthpredict.serving.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.healthpredict.serving.ServingConfig;
import org.healthpredict.serving.ServingModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AuthTest {

  private static RunningServer running;
  private static Http http;
  private static final String RECORD_KEY = "client-key-7f3a";
  private static final String ADMIN_KEY = "admin-key-91c2";

  @BeforeAll
  static void start() {
    ServingConfig config = ServingConfig.local("models:/HealthPredict@champion")
        .withKeys(ApiKeys.parse(RECORD_KEY + ",second-client-key"), ApiKeys.parse(ADMIN_KEY));
    running = RunningServer.of(config, ServingModels.loaded("1", ServingModels.lr(), 0.5, "lr"));
    http = running.http;
  }

  @AfterAll
  static void stop() {
    running.close();
  }

  @Test
  void predictNeedsAValidKeyInTheHeaderOrAsBearer() {
    String record = ServingModels.record(0).toString();
    Http.Response none = http.post("/predict", record);
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.headers().firstValue("WWW-Authenticate")).isPresent();
    assertThat(http.post("/predict", record, Map.of("X-API-Key", "client-key-7f3")).status()).isEqualTo(401);
    assertThat(http.post("/predict", record, Map.of("X-API-Key", RECORD_KEY)).status()).isEqualTo(200);
    assertThat(http.post("/predict", record, Map.of("Authorization", "Bearer second-client-key")).status())
        .isEqualTo(200);
    assertThat(http.post("/predict/batch", "[" + record + "]").status()).isEqualTo(401);
    assertThat(http.post("/predict/batch", "[" + record + "]", Map.of("X-API-Key", RECORD_KEY)).status())
        .isEqualTo(200);
  }

  @Test
  void adminNeedsAnAdminKeyAndAClientKeyIsNotOne() {
    assertThat(http.post("/admin/reload", "").status()).isEqualTo(401);
    assertThat(http.post("/admin/reload", "", Map.of("X-API-Key", RECORD_KEY)).status()).isEqualTo(401);
    Http.Response ok = http.post("/admin/reload", "", Map.of("X-API-Key", ADMIN_KEY));
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.json().get("reloaded").asBoolean()).isTrue();
  }

  @Test
  void probesMetricsAndDocsStayOpenForTheCluster() {
    assertThat(http.get("/health/live").status()).isEqualTo(200);
    assertThat(http.get("/health/ready").status()).isEqualTo(200);
    assertThat(http.get("/metrics").status()).isEqualTo(200);
    assertThat(http.get("/openapi.json").status()).isEqualTo(200);
  }

  @Test
  void errorBodiesNeverEchoAKey() {
    Http.Response r = http.post("/predict", "{}", Map.of("X-API-Key", "wrong-key-secret"));
    assertThat(r.body()).doesNotContain("wrong-key-secret");
  }
}

package org.healthpredict.serving;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.healthpredict.core.registry.ModelRegistry;
import org.healthpredict.core.registry.ModelVersion;
import org.healthpredict.core.testing.LoopbackPorts;
import org.healthpredict.core.testing.MlflowServer;
import org.healthpredict.core.tracking.TrackedRun;
import org.healthpredict.core.tracking.Tracking;
import org.healthpredict.serving.http.Http;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service polling a real MLflow registry that goes away and comes back, then points its alias at
 * a version whose model is corrupt: it keeps answering /predict with the old model and stays ready,
 * counts the failed polls in /metrics, and logs each episode once when it starts (with the reason)
 * and once when it ends, with no stack trace.
 */
class RegistryOutageProcessTest {

  private static final String ADMIN_KEY = "outage-admin-key";
  private static final Pattern FAILED_RELOADS = Pattern.compile(
      "hp_model_reloads_total\\{outcome=\"failed\"} ([0-9.]+)");

  @Test
  void aRegistryOutageIsLoggedOnceAndTheModelKeepsServing(@TempDir Path tmp) throws Exception {
    try (MlflowServer mlflow = MlflowServer.start(); Tracking tracking = Tracking.connect(mlflow.trackingUri())) {
      String name = "outage-" + UUID.randomUUID().toString().substring(0, 8);
      ModelRegistry registry = new ModelRegistry(tracking);
      ModelVersion v1 = ServingModels.register(tracking, registry, name, ServingModels.lr(), tmp.resolve("v1"), "v1");
      registry.setAlias(name, "champion", v1.version());

      int port = LoopbackPorts.free();
      Path log = tmp.resolve("server.log");
      List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
      command.addAll(ServingMainProcessTest.javaFlags());
      command.addAll(List.of("-cp", System.getProperty("java.class.path"), ServingMain.class.getName(),
          "--host", "127.0.0.1"));
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      pb.environment().put("MODEL_URI", "models:/" + name + "@champion");
      pb.environment().put("MLFLOW_TRACKING_URI", mlflow.trackingUri());
      pb.environment().put("RELOAD_POLL_SECONDS", "1");
      pb.environment().put("ADMIN_API_KEYS", ADMIN_KEY);
      pb.environment().put("PORT", Integer.toString(port));
      pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
      Process server = pb.start();
      try {
        Http http = new Http(port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!ServingMainProcessTest.ready(http) && System.nanoTime() < deadline && server.isAlive()) {
          Thread.sleep(100);
        }
        assertThat(ServingMainProcessTest.ready(http)).as(Files.readString(log)).isTrue();
        assertThat(failedReloads(http)).isZero();

        mlflow.stop();
        // Polls every second, backed off to 1, 2, 4, 8 s: four or five failed polls in 15 s.
        Thread.sleep(15_000);
        assertThat(http.post("/predict", ServingModels.record(0).toString()).status()).isEqualTo(200);
        assertThat(ServingMainProcessTest.ready(http)).isTrue();
        double failed = failedReloads(http);
        assertThat(failed).isBetween(2.0, 6.0);
        // An operator's reload during the outage: refused at once with the reason, v1 keeps serving.
        long asked = System.nanoTime();
        Http.Response reload = http.post("/admin/reload", "", Map.of("X-API-Key", ADMIN_KEY));
        assertThat(reload.status()).isEqualTo(502);
        assertThat(reload.json().get("message").asText()).contains(mlflow.trackingUri())
            .endsWith("the previous model keeps serving");
        assertThat(Duration.ofNanos(System.nanoTime() - asked)).isLessThan(Duration.ofSeconds(5));
        assertThat(http.get("/model").json().get("version").asText()).isEqualTo(v1.version());
        assertThat(ServingMainProcessTest.ready(http)).isTrue();
        failed = failedReloads(http);

        mlflow.restart();
        awaitLog(log, "model poll succeeded again after", 1);
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(count(output, "model poll failed, the current model keeps serving")).isEqualTo(1);
        assertThat(output).contains("Connect");
        assertThat(http.get("/model").json().get("version").asText()).isEqualTo(v1.version());

        // A version whose model/ holds no model: the poll refuses it, says why once, keeps v1.
        String brokenRun;
        try (TrackedRun run = tracking.experiment("serving-tests").startRun("broken")) {
          run.logText("not an MLmodel file", "model/MLmodel");
          run.finish();
          brokenRun = run.runId();
        }
        ModelVersion broken = registry.createVersion(name, brokenRun);
        registry.setAlias(name, "champion", broken.version());
        awaitLog(log, "model poll failed, the current model keeps serving", 2);
        Thread.sleep(5_000);
        output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(count(output, "model poll failed, the current model keeps serving")).isEqualTo(2);
        assertThat(http.get("/model").json().get("version").asText()).isEqualTo(v1.version());
        assertThat(http.post("/predict", ServingModels.record(1).toString()).status()).isEqualTo(200);
        assertThat(ServingMainProcessTest.ready(http)).isTrue();
        assertThat(failedReloads(http)).isGreaterThan(failed);
        assertThat(count(output, "\tat ")).as("stack trace lines").isZero();
      } finally {
        server.destroy();
        if (!server.waitFor(60, TimeUnit.SECONDS)) {
          server.destroyForcibly();
        }
      }
    }
  }

  private static void awaitLog(Path log, String line, int times) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (count(Files.readString(log), line) < times && System.nanoTime() < deadline) {
      Thread.sleep(250);
    }
    assertThat(count(Files.readString(log), line)).as(Files.readString(log)).isGreaterThanOrEqualTo(times);
  }

  private static double failedReloads(Http http) {
    Matcher m = FAILED_RELOADS.matcher(http.get("/metrics").body());
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  private static int count(String text, String needle) {
    int n = 0;
    for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
      n++;
    }
    return n;
  }
}

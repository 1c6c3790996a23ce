package org.healthpredict.serving.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.healthpredict.serving.ServingConfig;
import org.healthpredict.serving.ServingModels;
import org.healthpredict.serving.input.UnknownFields;
import org.healthpredict.serving.model.LoadedModel;
import org.junit.jupiter.api.Test;

class ReloadAndShutdownTest {

  private static final String ADMIN_KEY = "reload-admin";

  @Test
  void reloadingRepeatedlyUnderConcurrentLoadFailsNoRequest() throws Exception {
    ServingConfig config = ServingConfig.local("models:/HealthPredict@champion")
        .withKeys(ApiKeys.parse(""), ApiKeys.parse(ADMIN_KEY));
    // Each reload serves the next of two real models, as if the alias moved back and forth.
    List<LoadedModel> versions = List.of(ServingModels.loaded("6", ServingModels.lr(), 0.5, "lr"),
        ServingModels.loaded("7", ServingModels.gbt(), 0.5, "gbt"));
    try (RunningServer s = new RunningServer(config, versions, List.of(), true)) {
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger ok = new AtomicInteger();
      Map<Integer, Integer> failures = new ConcurrentHashMap<>();
      Set<String> versionsSeen = ConcurrentHashMap.newKeySet();
      ExecutorService clients = Executors.newFixedThreadPool(4);
      for (int t = 0; t < 4; t++) {
        int offset = t;
        clients.submit(() -> {
          Http http = new Http(s.server.port());
          for (int i = offset; !stop.get(); i++) {
            Http.Response r = http.post("/predict", ServingModels.record(i % 100).toString());
            if (r.status() == 200) {
              ok.incrementAndGet();
              versionsSeen.add(r.json().at("/model/version").asText());
            } else {
              failures.merge(r.status(), 1, Integer::sum);
            }
          }
          return null;
        });
      }
      for (int reload = 0; reload < 20; reload++) {
        Http.Response r = s.http.post("/admin/reload", "", Map.of("X-API-Key", ADMIN_KEY));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        Thread.sleep(25);
      }
      stop.set(true);
      clients.shutdown();
      assertThat(clients.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
      assertThat(failures).isEmpty();
      assertThat(ok.get()).isGreaterThan(100);
      assertThat(versionsSeen).containsExactlyInAnyOrder("6", "7");
    }
  }

  @Test
  void notReadyUntilAModelIsLoaded() {
    ServingConfig config = ServingConfig.local("models:/HealthPredict@champion");
    try (RunningServer s = new RunningServer(config,
        List.of(ServingModels.loaded("8", ServingModels.lr(), 0.5, "lr")), List.of(), false)) {
      assertThat(s.http.get("/health/live").status()).isEqualTo(200);
      Http.Response ready = s.http.get("/health/ready");
      assertThat(ready.status()).isEqualTo(503);
      assertThat(ready.json().get("reason").asText()).isEqualTo("no model loaded yet");
      assertThat(s.http.post("/predict", ServingModels.record(0).toString()).status()).isEqualTo(503);
      s.reloader.reload("test");
      assertThat(s.http.get("/health/ready").status()).isEqualTo(200);
      assertThat(s.http.post("/predict", ServingModels.record(0).toString()).status()).isEqualTo(200);
    }
  }

  @Test
  void shutdownTurnsUnreadyDrainsInFlightRequestsThenStops() throws Exception {
    CountDownLatch scoring = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    LoadedModel real = ServingModels.loaded("9", ServingModels.lr(), 0.5, "lr");
    // The real model, held mid-request until the test lets it finish.
    LoadedModel slow = new LoadedModel(real.uri(), real.name(), real.version(), real.runId(), real.metrics(),
        real.threshold(), real.family(), real.loadedAt(), typed -> {
          scoring.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return real.scorer().probability(typed);
        });
    ServingConfig base = ServingConfig.local("models:/HealthPredict@champion");
    ServingConfig config = new ServingConfig(base.host(), 0, base.trackingUri(), base.modelUri(), null, 0,
        base.abMode(), Duration.ZERO, 10, 1 << 20, UnknownFields.REJECT, base.apiKeys(), base.adminKeys(),
        base.scorer(), Duration.ofMillis(300), Duration.ofSeconds(20));
    try (RunningServer s = new RunningServer(config, List.of(slow), List.of(), true)) {
      ExecutorService pool = Executors.newFixedThreadPool(2);
      Future<Http.Response> inFlight = pool.submit(() -> s.http.post("/predict", ServingModels.record(1).toString()));
      assertThat(scoring.await(30, TimeUnit.SECONDS)).isTrue();
      Future<?> shutdown = pool.submit(s.server::shutdown);
      // While the delay runs the server still answers, but is no longer ready.
      Thread.sleep(100);
      Http.Response ready = s.http.get("/health/ready");
      assertThat(ready.status()).isEqualTo(503);
      assertThat(ready.json().get("reason").asText()).isEqualTo("shutting down");
      assertThat(shutdown.isDone()).isFalse();
      Thread.sleep(400);
      // Past the delay, the drain waits for the held request.
      assertThat(shutdown.isDone()).isFalse();
      assertThat(s.server.inFlight()).isEqualTo(1);
      release.countDown();
      Http.Response answered = inFlight.get(30, TimeUnit.SECONDS);
      assertThat(answered.status()).isEqualTo(200);
      assertThat(answered.json().get("probability").asDouble()).isBetween(0.0, 1.0);
      shutdown.get(30, TimeUnit.SECONDS);
      pool.shutdown();
    }
  }
}

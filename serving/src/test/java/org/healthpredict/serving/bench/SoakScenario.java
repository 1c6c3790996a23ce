package org.healthpredict.serving.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.healthpredict.core.registry.ModelRegistry;
import org.healthpredict.core.testing.MlflowServer;

/**
 * What happens to the service during the soak besides the load, on one timeline thread so no two
 * events overlap: every {@code reloadEvery} the champion alias moves to the other registered version
 * and {@code POST /admin/reload} swaps to it; in the middle MLflow stops for {@code outage} and is
 * started again on the same port and data. Reloads due while MLflow is down still call
 * {@code /admin/reload} (the alias cannot move): they must fail, and the old model must keep serving.
 */
final class SoakScenario implements Runnable {

  /** One reload attempt; {@code atNanos} is since the soak's start. */
  record Reload(long atNanos, boolean ok, boolean registryDown, String version, long millis, String detail) {}

  private enum Kind { OUTAGE_END, RELOAD, OUTAGE_START }

  /** Ties are ordered by kind: a restart first (so the reload due then sees MLflow back), a stop last. */
  private record Event(long atNanos, Kind kind) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private final MlflowServer mlflow;
  private final ModelRegistry registry;
  private final String modelName;
  private final List<String> versions;
  private final ServiceProcess service;
  private final Map<String, String> adminHeaders;
  private final List<Event> events = new ArrayList<>();
  private final List<Reload> reloads = new ArrayList<>();
  private long startNanos;
  private volatile boolean registryDown;
  private volatile long outageStartNanos = -1;
  private volatile long outageEndNanos = -1;
  private int next = 1;
  private Thread thread;

  /** {@code versions}: the two registered versions; the alias points at the first when the soak starts. */
  SoakScenario(MlflowServer mlflow, ModelRegistry registry, String modelName, List<String> versions,
      ServiceProcess service, String adminKey, Duration duration, Duration reloadEvery, Duration outage) {
    this.mlflow = mlflow;
    this.registry = registry;
    this.modelName = modelName;
    this.versions = List.copyOf(versions);
    this.service = service;
    this.adminHeaders = Map.of("X-API-Key", adminKey);
    for (long at = reloadEvery.toNanos(); at < duration.toNanos(); at += reloadEvery.toNanos()) {
      events.add(new Event(at, Kind.RELOAD));
    }
    if (!outage.isZero()) {
      long start = (duration.toNanos() - outage.toNanos()) / 2;
      events.add(new Event(start, Kind.OUTAGE_START));
      events.add(new Event(start + outage.toNanos(), Kind.OUTAGE_END));
    }
    events.sort(Comparator.comparingLong(Event::atNanos).thenComparing(Event::kind));
  }

  void start(long startNanos) {
    this.startNanos = startNanos;
    thread = new Thread(this, "soak-scenario");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Waits for the last event to finish (every event is due before the load ends, but a reload or a
   * restart may still be under way), then gives up on it.
   */
  void await(Duration timeout) throws InterruptedException {
    thread.join(timeout.toMillis());
    thread.interrupt();
  }

  @Override
  public void run() {
    for (Event e : events) {
      try {
        long wait = startNanos + e.atNanos() - System.nanoTime();
        if (wait > 0) {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
      } catch (InterruptedException stop) {
        return;
      }
      switch (e.kind()) {
        case RELOAD -> reload();
        case OUTAGE_START -> stopMlflow();
        case OUTAGE_END -> restartMlflow();
      }
    }
  }

  private void reload() {
    long at = System.nanoTime() - startNanos;
    boolean down = registryDown;
    String target = versions.get(next);
    long t0 = System.nanoTime();
    try {
      if (!down) {
        registry.setAlias(modelName, "champion", target);
      }
      HttpResponse<String> r = service.post("/admin/reload", adminHeaders);
      JsonNode body = JSON.readTree(r.body());
      String after = body.path("champion_after").asText("");
      boolean ok = r.statusCode() == 200 && after.equals(target);
      if (ok) {
        next = 1 - next;
      }
      String detail = ok ? "version " + body.path("champion_before").asText() + " -> " + after
          : "HTTP " + r.statusCode() + ": " + body.path("message").asText(r.body());
      record(new Reload(at, ok, down, target, millis(t0), detail));
    } catch (Exception e) {
      record(new Reload(at, false, down, target, millis(t0), e.getClass().getSimpleName() + ": " + e.getMessage()));
    }
  }

  private void stopMlflow() {
    outageStartNanos = System.nanoTime() - startNanos;
    registryDown = true;
    mlflow.stop();
    System.out.printf("soak: %s MLflow stopped%n", SoakBenchmark.clock(outageStartNanos));
  }

  private void restartMlflow() {
    try {
      mlflow.restart();
      registryDown = false;
      outageEndNanos = System.nanoTime() - startNanos;
      System.out.printf("soak: %s MLflow answering again (down %.0f s)%n", SoakBenchmark.clock(outageEndNanos),
          (outageEndNanos - outageStartNanos) / 1e9);
    } catch (RuntimeException e) {
      // The soak goes on without a registry: the service must keep serving, which is what it measures.
      System.out.println("soak: MLflow did not start again: " + e.getMessage());
    }
  }

  private synchronized void record(Reload r) {
    reloads.add(r);
    System.out.printf("soak: %s reload to version %s %s in %d ms%s: %s%n", SoakBenchmark.clock(r.atNanos()),
        r.version(), r.ok() ? "ok" : "FAILED", r.millis(), r.registryDown() ? " (MLflow down)" : "", r.detail());
  }

  synchronized List<Reload> reloads() {
    return List.copyOf(reloads);
  }

  boolean registryDown() {
    return registryDown;
  }

  /** When MLflow was stopped and when it answered again (nanoseconds since the start; -1 if not). */
  long outageStartNanos() {
    return outageStartNanos;
  }

  long outageEndNanos() {
    return outageEndNanos;
  }

  private static long millis(long t0) {
    return (System.nanoTime() - t0) / 1_000_000;
  }
}

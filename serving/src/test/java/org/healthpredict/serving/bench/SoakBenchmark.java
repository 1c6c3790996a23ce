package org.healthpredict.serving.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.healthpredict.core.features.ModelFamily;
import org.healthpredict.core.registry.ModelRegistry;
import org.healthpredict.core.registry.ModelVersion;
import org.healthpredict.core.testing.LoopbackPorts;
import org.healthpredict.core.testing.MlflowServer;
import org.healthpredict.core.testing.ProjectFiles;
import org.healthpredict.core.testing.TestSpark;
import org.healthpredict.core.tracking.Tracking;
import org.healthpredict.serving.ServingModels;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code make bench-soak}: the scoring service process against a real MLflow server on loopback, under
 * a fixed rate of real {@code /predict} requests for minutes, while the champion alias flips between
 * two registered versions and MLflow stops and comes back once. Writes {@code report.md} and
 * {@code soak.png} to the work directory.
 */
@Command(name = "bench-soak", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Soak benchmark of the scoring service: bin/health-predict-serve on a model registered in a "
        + "private MLflow server (version 1 a logistic regression, version 2 a 100-tree forest, both fitted on the "
        + "sample), POST /predict with the sample's encounters at a fixed open-loop rate, the champion alias moved "
        + "to the other version and POST /admin/reload every --reload-seconds, and MLflow stopped for "
        + "--outage-seconds in the middle.",
        "Reports requests and failures, p50/p99 latency per minute, the service's RSS, threads, file descriptors "
            + "and temporary files over time, and every reload, as <work>/report.md and <work>/soak.png."})
public final class SoakBenchmark implements Callable<Integer> {

  @Option(names = "--minutes", defaultValue = "10", description = "How long the load runs (default ${DEFAULT-VALUE}).")
  double minutes;

  @Option(names = "--rate", defaultValue = "500", description = "POST /predict requests per second (default ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = "--connections", defaultValue = "32",
      description = "Keep-alive connections the requests share; a request due while all are busy waits for one, "
          + "and the wait counts in its latency (default ${DEFAULT-VALUE}).")
  int connections;

  @Option(names = "--reload-seconds", defaultValue = "30",
      description = "Move the alias to the other version and reload this often (default ${DEFAULT-VALUE}).")
  long reloadSeconds;

  @Option(names = "--outage-seconds", defaultValue = "60",
      description = "Stop MLflow this long in the middle of the run; 0 = no outage (default ${DEFAULT-VALUE}).")
  long outageSeconds;

  @Option(names = "--poll-seconds", defaultValue = "5",
      description = "The service's RELOAD_POLL_SECONDS: it also polls the registry, so the outage hits its "
          + "poll too (default ${DEFAULT-VALUE}).")
  long pollSeconds;

  @Option(names = "--sample-seconds", defaultValue = "2",
      description = "Read the service's /proc figures this often (default ${DEFAULT-VALUE}).")
  long sampleSeconds;

  @Option(names = "--work", defaultValue = "out/bench-soak",
      description = "Report, chart and logs go here (default ${DEFAULT-VALUE}).")
  Path work;

  public static void main(String[] args) {
    int code = new CommandLine(new SoakBenchmark()).execute(args);
    // Spark's and the HTTP client's threads would keep the JVM up.
    System.exit(code);
  }

  @Override
  public Integer call() throws Exception {
    Duration duration = Duration.ofMillis(Math.round(minutes * 60_000));
    Path dir = Files.createDirectories(work).toAbsolutePath();
    Path serviceTmp = dir.resolve("service-tmp");
    deleteTree(serviceTmp);
    Files.createDirectories(serviceTmp);

    System.out.println("soak: fitting the two models on the sample (logistic regression, 100-tree forest)");
    List<byte[]> bodies = ServingModels.records().stream()
        .map(r -> r.toString().getBytes(StandardCharsets.UTF_8)).toList();
    ServingModels.lr();
    ServingModels.referenceForest();
    try (MlflowServer mlflow = MlflowServer.start(); Tracking tracking = Tracking.connect(mlflow.trackingUri())) {
      String name = "soak-" + UUID.randomUUID().toString().substring(0, 8);
      ModelRegistry registry = new ModelRegistry(tracking);
      ModelVersion v1 = ServingModels.register(tracking, registry, name, ServingModels.lr(), ModelFamily.LR,
          dir.resolve("models/v1"), "soak-lr");
      ModelVersion v2 = ServingModels.register(tracking, registry, name, ServingModels.referenceForest(),
          ModelFamily.RF, dir.resolve("models/v2"), "soak-forest");
      registry.setAlias(name, "champion", v1.version());
      // The harness is done with Spark; its executor threads would only compete with the service for the cores.
      TestSpark.session().stop();
      System.out.printf("soak: MLflow at %s, %s version %s (lr) and %s (forest), champion -> %s%n",
          mlflow.trackingUri(), name, v1.version(), v2.version(), v1.version());

      String adminKey = UUID.randomUUID().toString();
      Map<String, String> env = new LinkedHashMap<>();
      env.put("MODEL_URI", "models:/" + name + "@champion");
      env.put("MLFLOW_TRACKING_URI", mlflow.trackingUri());
      env.put("RELOAD_POLL_SECONDS", Long.toString(pollSeconds));
      env.put("ADMIN_API_KEYS", adminKey);
      // Its own temporary directory, so the report can tell what the service leaves there.
      env.put("JAVA_TOOL_OPTIONS", (System.getenv().getOrDefault("JAVA_TOOL_OPTIONS", "") + " -Djava.io.tmpdir="
          + serviceTmp).strip());
      ServiceProcess service = ServiceProcess.start(ProjectFiles.root(), LoopbackPorts.free(), env,
          dir.resolve("service.log"));
      try (service) {
        service.awaitReady(Duration.ofMinutes(3));
        System.out.printf("soak: service pid %d ready on port %d; %s of load at %.0f requests/s starts now%n",
            service.pid(), service.port(), clock(duration.toNanos()), rate);
        SoakRun run = soak(duration, mlflow, registry, name, List.of(v1.version(), v2.version()), service,
            adminKey, bodies, serviceTmp, settings(name, v1, v2, env));
        Files.writeString(dir.resolve("report.md"), SoakReport.render(run, "soak.png"));
        SoakChart.write(run, dir.resolve("soak.png"));
        System.out.println(Files.readString(dir.resolve("report.md")));
        System.out.println("soak: report " + dir.resolve("report.md") + ", chart " + dir.resolve("soak.png")
            + ", service log " + service.log());
      }
    }
    return 0;
  }

  private SoakRun soak(Duration duration, MlflowServer mlflow, ModelRegistry registry, String name,
      List<String> versions, ServiceProcess service, String adminKey, List<byte[]> bodies, Path serviceTmp,
      Map<String, String> settings) throws Exception {
    LatencyLog requests = new LatencyLog();
    String loadBefore = loadAverage();
    Instant startedAt = Instant.now();
    long start = System.nanoTime();
    long end = start + duration.toNanos();
    SoakScenario scenario = new SoakScenario(mlflow, registry, name, versions, service, adminKey, duration,
        Duration.ofSeconds(reloadSeconds), Duration.ofSeconds(outageSeconds));
    try (OpenLoopLoad load = new OpenLoopLoad(service.uri("/predict"), bodies, rate, connections, requests);
        ResourceSampler sampler = new ResourceSampler(service, serviceTmp)) {
      sampler.start(start, Duration.ofSeconds(sampleSeconds));
      load.start(start, end);
      scenario.start(start);
      new Progress(requests, sampler, scenario, start).printUntil(end);
      // Requests queued behind a stall are sent late; let them finish so each due request has an outcome.
      load.awaitDone(Duration.ofSeconds(60));
      scenario.await(Duration.ofMinutes(2));
      // One more sample after the last request, so the table's last minute has its figures.
      Thread.sleep(sampleSeconds * 1000);
      Map<String, Double> counters = ServiceCounters.read(service);
      String loadAfter = loadAverage();
      int exit = service.stop();
      return new SoakRun(startedAt, duration, rate, Duration.ofSeconds(reloadSeconds),
          Duration.ofSeconds(outageSeconds), settings, requests, sampler.samples(), scenario.reloads(),
          scenario.outageStartNanos(), scenario.outageEndNanos(), counters, ServiceCounters.logCounts(service.log()),
          exit, load.unanswered(), loadBefore, loadAfter);
    }
  }

  private Map<String, String> settings(String name, ModelVersion v1, ModelVersion v2, Map<String, String> env) {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("command", String.format(Locale.ROOT, "`make bench-soak SOAK_MINUTES=%s SOAK_RATE=%s SOAK_RELOAD_SECONDS=%d "
        + "SOAK_OUTAGE_SECONDS=%d%s` (harness `SoakBenchmark`)", trim(minutes), trim(rate), reloadSeconds, outageSeconds,
        connections == 32 ? "" : " SOAK_ARGS=--connections=" + connections));
    s.put("service", "`bin/health-predict-serve` (heap " + System.getenv().getOrDefault("HP_SERVE_MEMORY", "1g")
        + ", ParallelGC), `MODEL_URI=" + env.get("MODEL_URI") + "`, `RELOAD_POLL_SECONDS=" + pollSeconds
        + "`, Java " + Runtime.version().feature());
    s.put("models", "version " + v1.version() + ": logistic regression; version " + v2.version()
        + ": random forest, 100 trees of depth 8; both behind the feature pipeline, fitted on the sample");
    s.put("load", String.format(Locale.ROOT, "open loop (as wrk2), %s requests/s of `POST /predict` over %d keep-alive "
        + "connections, one sample encounter each (500 encounters in turn), Java HttpClient on HTTP/1.1, 10 s timeout; "
        + "latency from each request's due time; client and service share the cores", trim(rate), connections));
    s.put("MLflow", "a private server on loopback (`mlflow server`, SQLite, proxied artifacts, 1 worker) from the venv");
    return s;
  }

  /** m:ss of a duration in nanoseconds. */
  static String clock(long nanos) {
    long s = nanos / 1_000_000_000L;
    return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }

  private static String trim(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " / " + f[1] + " / " + f[2];
    } catch (Exception e) {
      return "unknown";
    }
  }

  private static void deleteTree(Path dir) throws java.io.IOException {
    if (Files.exists(dir)) {
      try (var paths = Files.walk(dir)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}

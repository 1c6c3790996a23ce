package org.healthpredict.serving;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.healthpredict.core.tracking.RetryPolicy;
import org.healthpredict.core.tracking.Tracking;
import org.healthpredict.serving.http.ApiKeys;
import org.healthpredict.serving.http.ScoringServer;
import org.healthpredict.serving.input.UnknownFields;
import org.healthpredict.serving.metrics.ServingMetrics;
import org.healthpredict.serving.model.LazyModelSource;
import org.healthpredict.serving.model.MlflowModelSource;
import org.healthpredict.serving.model.ModelSource;
import org.healthpredict.serving.model.ModelReloader;
import org.healthpredict.serving.model.ModelSlots;
import org.healthpredict.serving.model.ScorerKind;
import org.healthpredict.serving.traffic.AbMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code health-predict-serve}: the scoring service. Every flag defaults to an environment
 * variable (the container's configuration) and then to a local default. API keys come only from
 * the environment or files, never from flags, which other users of the host can read in {@code ps}.
 */
@Command(name = "health-predict-serve", mixinStandardHelpOptions = true, sortOptions = false,
    version = "health-predict-serve 0.1.0",
    description = {"Serves the promoted Health Predict model over HTTP: POST /predict, POST /predict/batch, "
        + "GET /model, GET /metrics, GET /openapi.json, GET /health/live, GET /health/ready, POST /admin/reload.",
        "Each option's default comes from the environment variable named in brackets."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"143:stopped by SIGTERM after draining (128 + 15, the JVM's status after its shutdown hooks)",
        "2:invalid options", "1:the server could not start (e.g. the port is taken)", "0:--help or --version"})
public final class ServingMain implements Callable<Integer> {

  static {
    // Log4j's own shutdown hook would race ours and drop the drain messages; the console
    // appender flushes every line, so nothing is lost without it.
    System.setProperty("log4j2.shutdownHookEnabled", "false");
  }

  private static final Logger LOG = LoggerFactory.getLogger(ServingMain.class);

  @Option(names = "--model-uri", defaultValue = "${env:MODEL_URI:-models:/HealthPredict@champion}",
      description = "[MODEL_URI] models:/<name>@<alias>, models:/<name>/<version>, runs:/<run>/model or a model "
          + "directory (default ${DEFAULT-VALUE}).")
  String modelUri;

  @Option(names = "--tracking-uri", defaultValue = "${env:MLFLOW_TRACKING_URI:-http://127.0.0.1:5000}",
      description = "[MLFLOW_TRACKING_URI] MLflow tracking server (default ${DEFAULT-VALUE}).")
  String trackingUri;

  @Option(names = "--host", defaultValue = "${env:HOST:-0.0.0.0}", description = "[HOST] (default ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--port", defaultValue = "${env:PORT:-8080}", description = "[PORT] (default ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--challenger-uri", defaultValue = "${env:CHALLENGER_URI}",
      description = "[CHALLENGER_URI] optional second model, e.g. models:/HealthPredict@challenger.")
  String challengerUri;

  @Option(names = "--challenger-share", defaultValue = "${env:CHALLENGER_SHARE:-0.1}",
      description = "[CHALLENGER_SHARE] share of patients answered by the challenger in split mode (default ${DEFAULT-VALUE}).")
  double challengerShare;

  @Option(names = "--ab-mode", defaultValue = "${env:AB_MODE:-split}",
      description = "[AB_MODE] split (a stable share of patients, by patient_nbr) or shadow (both score, "
          + "champion answers) (default ${DEFAULT-VALUE}).")
  AbMode abMode;

  @Option(names = "--reload-poll-seconds", defaultValue = "${env:RELOAD_POLL_SECONDS:-0}",
      description = "[RELOAD_POLL_SECONDS] ask the registry this often whether the alias moved; 0 = off (default ${DEFAULT-VALUE}).")
  long reloadPollSeconds;

  @Option(names = "--max-batch-records", defaultValue = "${env:MAX_BATCH_RECORDS:-1000}",
      description = "[MAX_BATCH_RECORDS] records per /predict/batch; more is 413 (default ${DEFAULT-VALUE}).")
  int maxBatchRecords;

  @Option(names = "--max-body-bytes", defaultValue = "${env:MAX_BODY_BYTES:-8388608}",
      description = "[MAX_BODY_BYTES] request body limit; more is 413 (default ${DEFAULT-VALUE}).")
  long maxBodyBytes;

  @Option(names = "--unknown-fields", defaultValue = "${env:UNKNOWN_FIELDS:-reject}",
      description = "[UNKNOWN_FIELDS] reject (422) or ignore (scored, listed in the response) fields that are not "
          + "columns (default ${DEFAULT-VALUE}).")
  UnknownFields unknownFields;

  @Option(names = "--scorer", defaultValue = "${env:SCORER:-row}",
      description = "[SCORER] row (plain Java, microseconds) or transform (Spark per request; for comparison) "
          + "(default ${DEFAULT-VALUE}).")
  ScorerKind scorer;

  @Option(names = "--api-keys-file", description = "File with one API key per line for /predict* (adds to env API_KEYS). "
      + "Without any key, /predict* is open.")
  Path apiKeysFile;

  @Option(names = "--admin-api-keys-file", description = "File with one admin key per line for /admin/* (adds to env "
      + "ADMIN_API_KEYS). Without any, /admin/* answers 403.")
  Path adminKeysFile;

  @Option(names = "--shutdown-delay-seconds", defaultValue = "${env:SHUTDOWN_DELAY_SECONDS:-0}",
      description = "[SHUTDOWN_DELAY_SECONDS] after SIGTERM, stay up but unready this long (default ${DEFAULT-VALUE}).")
  long shutdownDelaySeconds;

  @Option(names = "--drain-timeout-seconds", defaultValue = "${env:DRAIN_TIMEOUT_SECONDS:-30}",
      description = "[DRAIN_TIMEOUT_SECONDS] wait at most this long for requests in flight (default ${DEFAULT-VALUE}).")
  long drainTimeoutSeconds;

  public static void main(String[] args) {
    System.exit(new CommandLine(new ServingMain()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    ServingConfig config = config();
    ServingMetrics metrics = new ServingMetrics();
    // No retries inside a call: the registry poll backs off on its own, and /admin/reload answers at once.
    ModelSource source = new LazyModelSource(() -> new MlflowModelSource(
        Tracking.connect(config.trackingUri(), RetryPolicy.none()), config.scorer()));
    ModelSlots slots = new ModelSlots(source, config.modelUri(), config.challengerUri());
    ModelReloader reloader = new ModelReloader(slots, metrics);
    ScoringServer server = new ScoringServer(config, slots, metrics, reloader).start();
    reloader.startBackground(config.reloadPoll());
    Thread readyWatch = new Thread(() -> awaitReady(slots), "ready-watch");
    readyWatch.setDaemon(true);
    readyWatch.start();

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      reloader.close();
      server.shutdown();
      stopped.countDown();
    }, "graceful-shutdown"));
    stopped.await();
    return 0;
  }

  private ServingConfig config() throws IOException {
    ApiKeys api = keys("API_KEYS", apiKeysFile);
    ApiKeys admin = keys("ADMIN_API_KEYS", adminKeysFile);
    LOG.info("model {}{}; API keys for /predict: {}; admin keys: {}", modelUri,
        challengerUri == null ? "" : " with challenger " + challengerUri + " (" + abMode.name().toLowerCase() + ")",
        api.isEmpty() ? "none (open)" : api.size(), admin.isEmpty() ? "none (admin disabled)" : admin.size());
    return new ServingConfig(host, port, trackingUri, modelUri, challengerUri, challengerShare,
        abMode, Duration.ofSeconds(reloadPollSeconds), maxBatchRecords, maxBodyBytes,
        unknownFields, api, admin, scorer,
        Duration.ofSeconds(shutdownDelaySeconds), Duration.ofSeconds(drainTimeoutSeconds));
  }

  private static ApiKeys keys(String env, Path file) throws IOException {
    java.util.List<String> keys = new java.util.ArrayList<>();
    String fromEnv = System.getenv(env);
    if (fromEnv != null) {
      keys.addAll(java.util.Arrays.asList(fromEnv.split(",")));
    }
    if (file != null) {
      keys.addAll(Files.readAllLines(file));
    }
    return ApiKeys.of(keys);
  }

  /** Logs the start-to-ready time once, the figure the startup probe is sized by. */
  private static void awaitReady(ModelSlots slots) {
    while (!slots.loaded()) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        return;
      }
    }
    // JVM uptime, not time since main(): the probe sees the process from its start.
    LOG.info("ready in {} s since the JVM started", String.format("%.2f",
        java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() / 1e3));
  }
}

package org.healthpredict.core.tracking;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;

/**
 * A connection to an MLflow tracking server: the entry point for experiments, runs, metrics and
 * artifacts, over MLflow's REST API ({@link MlflowHttp}). MLflow's own Java client is not used: it
 * retries every 4xx answer (a "not found" included) and no connection failure, cannot be told
 * otherwise, and lacks dataset inputs and the artifact proxy, so it would be a second HTTP stack
 * beside the one we need anyway.
 *
 * <p>An unreachable server, 429 and 5xx answers are retried as the connection's {@link
 * RetryPolicy} says (by default for 5 minutes of outage), so a tracking-server restart does not end
 * a sweep. Failures surface as {@link TrackingException}s whose message names the tracking URI, so
 * "server not running" and "request rejected" are told apart at a glance.
 */
public final class Tracking implements AutoCloseable {

  /** The variable MLflow's own tools read the tracking URI from. */
  public static final String TRACKING_URI_ENV = "MLFLOW_TRACKING_URI";
  /** Where {@code mlflow server} listens when started without options. */
  public static final String DEFAULT_TRACKING_URI = "http://127.0.0.1:5000";

  /** Runs per runs/search page; MLflow allows up to 50,000. */
  private static final int SEARCH_PAGE_SIZE = 1000;

  private final String trackingUri;
  private final MlflowHttp http;
  /** Null means Hadoop's defaults, made only if a run's artifact root needs direct writes. */
  private final Configuration hadoop;

  private Tracking(String trackingUri, RetryPolicy retry, Configuration hadoop) {
    this.trackingUri = trackingUri;
    this.hadoop = hadoop;
    this.http = new MlflowHttp(trackingUri, Credentials.fromEnvironment(System.getenv()), retry,
        InstantSource.system());
  }

  /**
   * Connects to the server at an {@code http(s)://} URI, retrying as {@link
   * RetryPolicy#fromEnvironment} says. Nothing is sent yet: an unreachable server shows up, named,
   * on the first call.
   */
  public static Tracking connect(String trackingUri) {
    return connect(trackingUri, RetryPolicy.fromEnvironment(System.getenv()));
  }

  /** Connects as {@link #connect(String)}, retrying as {@code retry} says. */
  public static Tracking connect(String trackingUri, RetryPolicy retry) {
    return new Tracking(validate(trackingUri), retry, null);
  }

  /**
   * Connects as {@link #connect(String)}, writing direct-write artifact roots ({@code file:},
   * {@code s3a:} …) with this Hadoop configuration, e.g. a SparkContext's, so S3A endpoint and
   * credential settings apply.
   */
  public static Tracking connect(String trackingUri, Configuration hadoop) {
    return connect(trackingUri, RetryPolicy.fromEnvironment(System.getenv()), hadoop);
  }

  /** Connects as {@link #connect(String, Configuration)}, retrying as {@code retry} says. */
  public static Tracking connect(String trackingUri, RetryPolicy retry, Configuration hadoop) {
    if (hadoop == null) {
      throw new IllegalArgumentException("hadoop configuration is null; use connect(uri)");
    }
    return new Tracking(validate(trackingUri), retry, hadoop);
  }

  /** Connects to {@link #defaultTrackingUri()}. */
  public static Tracking fromEnvironment() {
    return connect(defaultTrackingUri());
  }

  /** {@code MLFLOW_TRACKING_URI} if set, otherwise {@value #DEFAULT_TRACKING_URI}. */
  public static String defaultTrackingUri() {
    return defaultTrackingUri(System.getenv());
  }

  static String defaultTrackingUri(Map<String, String> env) {
    String configured = env.get(TRACKING_URI_ENV);
    return configured == null || configured.isBlank() ? DEFAULT_TRACKING_URI : configured.trim();
  }

  static String validate(String trackingUri) {
    if (trackingUri == null || trackingUri.isBlank()) {
      throw new IllegalArgumentException("the MLflow tracking URI is empty; give an http(s):// URI"
          + " or set " + TRACKING_URI_ENV);
    }
    String trimmed = trackingUri.trim();
    URI uri;
    try {
      uri = new URI(trimmed);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("the MLflow tracking URI '" + trackingUri
          + "' is not a URI: " + e.getMessage(), e);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
      throw new IllegalArgumentException("the MLflow tracking URI '" + trackingUri
          + "' is not an http(s)://host[:port] URI of a tracking server (e.g. "
          + DEFAULT_TRACKING_URI + "); file stores and Databricks are not supported");
    }
    return trimmed.replaceAll("/+$", "");
  }

  public String trackingUri() {
    return trackingUri;
  }

  /** The experiment of that name, created if it does not exist yet; safe to call repeatedly. */
  public Experiment experiment(String name) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("an experiment needs a name");
    }
    JsonNode found = find(name).orElseGet(() -> create(name));
    String id = found.path("experiment_id").asText();
    if ("deleted".equals(found.path("lifecycle_stage").asText())) {
      throw new TrackingException("experiment '" + name + "' (id " + id + ") at " + trackingUri
          + " is deleted; restore it (mlflow experiments restore --experiment-id " + id
          + ") or use another name");
    }
    return new Experiment(this, id, found.path("name").asText(),
        found.path("artifact_location").asText());
  }

  private Optional<JsonNode> find(String name) {
    return http.get("look up experiment '" + name + "'", "experiments/get-by-name",
        "experiment_name", name).map(answer -> answer.path("experiment"));
  }

  /**
   * The run as the server stores it: status, tags, params and latest metrics.
   *
   * @throws TrackingException if the server has no such run
   */
  public StoredRun runInfo(String runId) {
    return StoredRun.fromJson(runJson(runId));
  }

  /**
   * Every recorded value of one metric of a run, as step → value (the last value of a step wins),
   * e.g. to find which rungs of a trial were already recorded before its driver died.
   */
  public java.util.SortedMap<Long, Double> metricHistory(String runId, String key) {
    checkRunId(runId);
    java.util.SortedMap<Long, Double> out = new java.util.TreeMap<>();
    http.get("get metric history of " + key + " in run " + runId, "metrics/get-history", "run_id", runId,
        "metric_key", key)
        .ifPresent(answer -> answer.path("metrics").forEach(m ->
            out.put(m.path("step").asLong(0), m.path("value").asDouble())));
    return out;
  }

  private JsonNode runJson(String runId) {
    checkRunId(runId);
    return http.get("get run " + runId, "runs/get", "run_id", runId)
        .map(answer -> answer.path("run"))
        .orElseThrow(() -> new TrackingException("there is no run '" + runId
            + "' at the MLflow tracking server " + trackingUri));
  }

  /**
   * Takes up an existing run again, whatever its status, e.g. the sweep run and trial runs of a
   * driver that died: the run is set back to RUNNING so what follows is logged into the same run,
   * and ended again by {@link TrackedRun#finish()} or {@link TrackedRun#close()}. A failure
   * recorded in {@value TrackedRun#FAILURE_TAG} moves to {@value TrackedRun#PREVIOUS_FAILURE_TAG},
   * so a run that finishes after all does not still claim to have failed.
   *
   * @throws TrackingException if the run does not exist or is deleted
   */
  public TrackedRun reopenRun(String runId) {
    JsonNode run = runJson(runId);
    StoredRun stored = StoredRun.fromJson(run);
    String what = "reopen run '" + stored.runName() + "' (" + runId + ")";
    if ("deleted".equals(run.path("info").path("lifecycle_stage").asText())) {
      throw new TrackingException("cannot " + what + " at " + trackingUri + ": it is deleted;"
          + " restore it first (mlflow runs restore --run-id " + runId + ")");
    }
    Experiment experiment = experimentById(stored.experimentId(), what);
    restPost(what, "runs/update", Map.of("run_id", runId, "status", "RUNNING"));
    TrackedRun reopened = new TrackedRun(this, experiment, runId, stored.runName(),
        stored.artifactUri());
    String failure = stored.tags().get(TrackedRun.FAILURE_TAG);
    if (failure != null) {
      reopened.setTag(TrackedRun.PREVIOUS_FAILURE_TAG, failure);
      restPost(what, "runs/delete-tag", Map.of("run_id", runId, "key", TrackedRun.FAILURE_TAG));
    }
    return reopened;
  }

  /**
   * The bytes of one artifact file of a run, read through the server's artifact proxy or straight
   * from a {@code file:}/{@code s3a:} artifact root. Empty when the run has no such file, so "not
   * written yet" needs no exception; any other failure throws.
   *
   * @throws TrackingException if the run does not exist, the path is a directory, or reading fails
   */
  public Optional<byte[]> readArtifact(String runId, String artifactPath) {
    String file = ArtifactPaths.directory(artifactPath);
    if (file.isEmpty()) {
      throw new IllegalArgumentException("readArtifact needs an artifact file path");
    }
    return artifactStore(runInfo(runId).artifactUri()).read(file);
  }

  /**
   * The runs nested under a run (tag {@value TrackedRun#PARENT_RUN_ID_TAG}), oldest first; deleted
   * runs are left out.
   */
  public List<StoredRun> childRuns(String parentRunId) {
    return childRuns(parentRunId, SEARCH_PAGE_SIZE);
  }

  List<StoredRun> childRuns(String parentRunId, int pageSize) {
    StoredRun parent = runInfo(parentRunId);
    String what = "search the child runs of run " + parentRunId;
    List<StoredRun> children = new ArrayList<>();
    String pageToken = null;
    do {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("experiment_ids", List.of(parent.experimentId()));
      body.put("filter", "tags.`" + TrackedRun.PARENT_RUN_ID_TAG + "` = '" + parentRunId + "'");
      body.put("max_results", pageSize);
      // MLflow breaks ties of equal start times by run id, so pages neither skip nor repeat runs.
      body.put("order_by", List.of("attributes.start_time ASC"));
      if (pageToken != null) {
        body.put("page_token", pageToken);
      }
      JsonNode answer = restPost(what, "runs/search", body);
      answer.path("runs").forEach(run -> children.add(StoredRun.fromJson(run)));
      pageToken = answer.path("next_page_token").asText("");
    } while (!pageToken.isEmpty());
    return children;
  }

  private Experiment experimentById(String id, String why) {
    JsonNode found = http.get(why, "experiments/get", "experiment_id", id)
        .orElseThrow(() -> new TrackingException("cannot " + why + ": its experiment " + id
            + " does not exist at " + trackingUri))
        .path("experiment");
    return new Experiment(this, id, found.path("name").asText(),
        found.path("artifact_location").asText());
  }

  /** Run ids go into search filters; a quote in one would change the filter's meaning. */
  private static void checkRunId(String runId) {
    if (runId == null || !runId.matches("[A-Za-z0-9_-]+")) {
      throw new IllegalArgumentException("'" + runId + "' is not an MLflow run id (expected"
          + " letters, digits, '-' or '_', e.g. 0123456789abcdef0123456789abcdef)");
    }
  }

  private JsonNode restPost(String what, String endpoint, Object body) {
    return http.send(what, "POST", endpoint, body, MlflowHttp.Repeat.SAFE)
        .orElseThrow(() -> new TrackingException("the MLflow tracking server at " + trackingUri
            + " refused to " + what + ": the run or experiment does not exist"));
  }

  /**
   * GETs an MLflow REST endpoint under {@code /api/2.0/mlflow/} (e.g. {@code
   * "registered-models/get"}) for packages built on this connection, the model registry first.
   * Empty when the server answers RESOURCE_DOES_NOT_EXIST; any other refusal throws, naming the
   * server and {@code what}.
   */
  public Optional<JsonNode> restGetJson(String what, String endpoint,
      String... queryNamesAndValues) {
    return http.get(what, endpoint, queryNamesAndValues);
  }

  /**
   * Sends a JSON body with {@code POST}, {@code PATCH} or {@code DELETE} to an MLflow REST endpoint
   * (MLflow reads DELETE parameters from the body too, e.g. {@code registered-models/alias}), for
   * the same callers and with the same answers as {@link #restGetJson}. The request must be safe
   * to repeat (a search, an update, setting an alias); use {@link #restCreateJson} for one that
   * creates something.
   */
  public Optional<JsonNode> restSendJson(String what, String method, String endpoint,
      Object body) {
    if (!List.of("POST", "PATCH", "DELETE").contains(method)) {
      throw new IllegalArgumentException("restSendJson sends POST, PATCH or DELETE, not " + method);
    }
    return http.send(what, method, endpoint, body, MlflowHttp.Repeat.SAFE);
  }

  /**
   * POSTs a request that creates something (e.g. {@code model-versions/create}): retried only when
   * the server cannot have acted on it, so an outage never makes two of it.
   */
  public Optional<JsonNode> restCreateJson(String what, String endpoint, Object body) {
    return http.send(what, "POST", endpoint, body, MlflowHttp.Repeat.CREATES);
  }

  private JsonNode create(String name) {
    try {
      // Safe to repeat: a second create of the same name is refused, and handled below.
      http.send("create experiment '" + name + "'", "POST", "experiments/create",
          Map.of("name", name), MlflowHttp.Repeat.SAFE);
    } catch (TrackingException e) {
      // Another process (or our own retried request) created it between the lookup and the
      // create: it serves as well.
      if (!String.valueOf(e.getMessage()).contains("RESOURCE_ALREADY_EXISTS")) {
        throw e;
      }
    }
    return find(name).orElseThrow(() -> new TrackingException("experiment '" + name
        + "' was created at " + trackingUri + " but cannot be found by name"));
  }

  MlflowHttp http() {
    return http;
  }

  /** The store a run's artifacts are written through, chosen by its artifact URI's scheme. */
  ArtifactStore artifactStore(String artifactUri) {
    String scheme = Optional.ofNullable(URI.create(artifactUri).getScheme()).orElse("")
        .toLowerCase(Locale.ROOT);
    if (scheme.equals("mlflow-artifacts") || scheme.equals("http") || scheme.equals("https")) {
      return ProxiedArtifactStore.forArtifactUri(artifactUri, http);
    }
    return new HadoopArtifactStore(artifactUri, hadoop);
  }

  @Override
  public void close() {
    // Nothing to release: the JDK's HttpClient closes idle connections itself.
  }

  @Override
  public String toString() {
    return "Tracking[" + trackingUri + "]";
  }
}

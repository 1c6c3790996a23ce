package org.healthpredict.core.tracking;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.MlflowClientException;
import org.mlflow.tracking.MlflowHttpException;

/**
 * A connection to an MLflow tracking server: the entry point for experiments, runs, metrics and
 * artifacts, built on MLflow's Java client plus the REST calls that client lacks (artifact uploads
 * and downloads through the server's proxy, dataset inputs, reading runs back to resume a sweep).
 *
 * <p>Failures surface as {@link TrackingException}s whose message names the tracking URI, so
 * "server not running" and "request rejected" are told apart at a glance.
 */
public final class Tracking implements AutoCloseable {

  /** The variable MLflow's own tools read the tracking URI from. */
  public static final String TRACKING_URI_ENV = "MLFLOW_TRACKING_URI";
  /** Where {@code mlflow server} listens when started without options. */
  public static final String DEFAULT_TRACKING_URI = "http://127.0.0.1:5000";

  private static final Duration REST_TIMEOUT = Duration.ofSeconds(60);
  private static final String API = "/api/2.0/mlflow/";
  /** Runs per runs/search page; MLflow allows up to 50,000. */
  private static final int SEARCH_PAGE_SIZE = 1000;

  private final String trackingUri;
  private final MlflowClient client;
  private final HttpClient http;
  private final Credentials credentials;
  /** Null means Hadoop's defaults, made only if a run's artifact root needs direct writes. */
  private final Configuration hadoop;

  private Tracking(String trackingUri, Credentials credentials, Configuration hadoop) {
    this.trackingUri = trackingUri;
    this.credentials = credentials;
    this.hadoop = hadoop;
    this.client = new MlflowClient(credentials.forClient(trackingUri));
    // uvicorn speaks HTTP/1.1 only; the JDK's default h2c upgrade attempt is wasted on it.
    this.http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(30))
        .build();
  }

  /**
   * Connects to the server at an {@code http(s)://} URI. Nothing is sent yet: an unreachable
   * server shows up, named, on the first call.
   */
  public static Tracking connect(String trackingUri) {
    return new Tracking(validate(trackingUri), Credentials.fromEnvironment(System.getenv()), null);
  }

  /**
   * Connects as {@link #connect(String)}, writing direct-write artifact roots ({@code file:},
   * {@code s3a:} …) with this Hadoop configuration, e.g. a SparkContext's, so S3A endpoint and
   * credential settings apply.
   */
  public static Tracking connect(String trackingUri, Configuration hadoop) {
    if (hadoop == null) {
      throw new IllegalArgumentException("hadoop configuration is null; use connect(uri)");
    }
    return new Tracking(validate(trackingUri), Credentials.fromEnvironment(System.getenv()),
        hadoop);
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

  /**
   * Looks an experiment up by name over plain REST: the 2.17 Java client retries every 4xx
   * answer three times (logging each as "rate limit exceeded"), and "not found" is the expected
   * answer here.
   */
  private Optional<JsonNode> find(String name) {
    return restGet("look up experiment '" + name + "'", "experiments/get-by-name",
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
    restGet("get metric history of " + key + " in run " + runId, "metrics/get-history", "run_id", runId,
        "metric_key", key)
        .ifPresent(answer -> answer.path("metrics").forEach(m ->
            out.put(m.path("step").asLong(0), m.path("value").asDouble())));
    return out;
  }

  private JsonNode runJson(String runId) {
    checkRunId(runId);
    return restGet("get run " + runId, "runs/get", "run_id", runId)
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
    restPost(what, "runs/update", Json.write(Map.of("run_id", runId, "status", "RUNNING")));
    TrackedRun reopened = new TrackedRun(this, experiment, runId, stored.runName(),
        stored.artifactUri());
    String failure = stored.tags().get(TrackedRun.FAILURE_TAG);
    if (failure != null) {
      reopened.setTag(TrackedRun.PREVIOUS_FAILURE_TAG, failure);
      restPost(what, "runs/delete-tag",
          Json.write(Map.of("run_id", runId, "key", TrackedRun.FAILURE_TAG)));
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
      JsonNode answer = restPost(what, "runs/search", Json.write(body));
      answer.path("runs").forEach(run -> children.add(StoredRun.fromJson(run)));
      pageToken = answer.path("next_page_token").asText("");
    } while (!pageToken.isEmpty());
    return children;
  }

  private Experiment experimentById(String id, String why) {
    JsonNode found = restGet(why, "experiments/get", "experiment_id", id)
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

  /**
   * GETs a REST endpoint under {@code /api/2.0/mlflow/}, over plain HTTP rather than the Java
   * client (see {@link #find}); empty when the server answers that the resource does not exist.
   */
  private Optional<JsonNode> restGet(String what, String endpoint, String... queryNamesAndValues) {
    StringBuilder uri = new StringBuilder(trackingUri).append(API).append(endpoint);
    for (int i = 0; i < queryNamesAndValues.length; i += 2) {
      uri.append(i == 0 ? '?' : '&').append(queryNamesAndValues[i]).append('=')
          .append(URLEncoder.encode(queryNamesAndValues[i + 1], StandardCharsets.UTF_8));
    }
    return send(what, HttpRequest.newBuilder(URI.create(uri.toString())).GET());
  }

  private JsonNode restPost(String what, String endpoint, String jsonBody) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(trackingUri + API + endpoint))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(jsonBody));
    return send(what, request).orElseThrow(() -> new TrackingException("the MLflow tracking server"
        + " at " + trackingUri + " refused to " + what + ": the run or experiment does not exist"));
  }

  /**
   * GETs an MLflow REST endpoint under {@code /api/2.0/mlflow/} (e.g. {@code
   * "registered-models/get"}) for packages built on this connection, the model registry first: plain
   * HTTP, because the Java client retries every 4xx answer three times. Empty when the server
   * answers RESOURCE_DOES_NOT_EXIST; any other refusal throws, naming the server and {@code what}.
   */
  public Optional<JsonNode> restGetJson(String what, String endpoint,
      String... queryNamesAndValues) {
    if (queryNamesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("query parameters come in name/value pairs");
    }
    return restGet(what, endpoint, queryNamesAndValues);
  }

  /**
   * Sends a JSON body with {@code POST}, {@code PATCH} or {@code DELETE} to an MLflow REST endpoint
   * (MLflow reads DELETE parameters from the body too, e.g. {@code registered-models/alias}), for
   * the same callers and with the same answers as {@link #restGetJson}.
   */
  public Optional<JsonNode> restSendJson(String what, String method, String endpoint,
      Object body) {
    if (!List.of("POST", "PATCH", "DELETE").contains(method)) {
      throw new IllegalArgumentException("restSendJson sends POST, PATCH or DELETE, not " + method);
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(trackingUri + API + endpoint))
        .header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(Json.write(body)));
    return send(what, request);
  }

  private Optional<JsonNode> send(String what, HttpRequest.Builder request) {
    request.timeout(REST_TIMEOUT);
    credentials.authorization().ifPresent(value -> request.header("Authorization", value));
    HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw unreachable(what, e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TrackingException("interrupted while trying to " + what, e);
    }
    if (response.statusCode() == 404 && response.body().contains("RESOURCE_DOES_NOT_EXIST")) {
      return Optional.empty();
    }
    if (response.statusCode() != 200) {
      throw refused(what, response.statusCode(), response.body(), null);
    }
    try {
      return Optional.of(Json.MAPPER.readTree(response.body()));
    } catch (IOException e) {
      throw new TrackingException("the server at " + trackingUri + " answered a request to " + what
          + " with something that is not JSON: " + abbreviate(response.body()), e);
    }
  }

  private JsonNode create(String name) {
    try {
      client.createExperiment(name);
    } catch (MlflowHttpException e) {
      // Another process created it between our lookup and create: theirs is as good as ours.
      if (!String.valueOf(e.getBodyMessage()).contains("RESOURCE_ALREADY_EXISTS")) {
        throw translate("create experiment '" + name + "'", e);
      }
    } catch (MlflowClientException e) {
      throw translate("create experiment '" + name + "'", e);
    }
    return find(name).orElseThrow(() -> new TrackingException("experiment '" + name
        + "' was created at " + trackingUri + " but cannot be found by name"));
  }

  MlflowClient client() {
    return client;
  }

  /** Runs a Java-client call, turning its failure into a TrackingException naming the server. */
  <T> T call(String what, Supplier<T> action) {
    try {
      return action.get();
    } catch (MlflowClientException e) {
      throw translate(what, e);
    }
  }

  void run(String what, Runnable action) {
    call(what, () -> {
      action.run();
      return null;
    });
  }

  /** The store a run's artifacts are written through, chosen by its artifact URI's scheme. */
  ArtifactStore artifactStore(String artifactUri) {
    String scheme = Optional.ofNullable(URI.create(artifactUri).getScheme()).orElse("")
        .toLowerCase(Locale.ROOT);
    if (scheme.equals("mlflow-artifacts") || scheme.equals("http") || scheme.equals("https")) {
      return ProxiedArtifactStore.forArtifactUri(artifactUri, trackingUri, http, credentials);
    }
    return new HadoopArtifactStore(artifactUri, hadoop);
  }

  TrackingException translate(String what, MlflowClientException e) {
    if (e instanceof MlflowHttpException http) {
      return refused(what, http.getStatusCode(),
          Optional.ofNullable(http.getBodyMessage()).orElse(http.getReasonPhrase()), e);
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConnectException || t instanceof UnknownHostException
          || t instanceof HttpConnectTimeoutException) {
        return unreachable(what, t, e);
      }
    }
    return new TrackingException("the MLflow tracking server at " + trackingUri + " failed to "
        + what + ": " + e.getMessage(), e);
  }

  private TrackingException unreachable(String what, Throwable reason, Exception e) {
    return new TrackingException("cannot reach the MLflow tracking server at " + trackingUri
        + " to " + what + " (" + reason + "). Is the server running? The URI comes from the"
        + " command line or " + TRACKING_URI_ENV + ".", e);
  }

  private TrackingException refused(String what, int status, String body, Exception e) {
    return new TrackingException("the MLflow tracking server at " + trackingUri + " refused to "
        + what + ": HTTP " + status + " " + abbreviate(body), e);
  }

  /** Error bodies of proxies in front of MLflow can be whole HTML pages. */
  private static String abbreviate(String body) {
    String flat = String.valueOf(body).strip().replaceAll("\\s+", " ");
    return flat.length() <= 500 ? flat : flat.substring(0, 500) + "…";
  }

  @Override
  public void close() {
    client.close();
  }

  @Override
  public String toString() {
    return "Tracking[" + trackingUri + "]";
  }
}

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
 * through the server's proxy, dataset inputs).
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
    String what = "look up experiment '" + name + "'";
    URI uri = URI.create(trackingUri + "/api/2.0/mlflow/experiments/get-by-name?experiment_name="
        + URLEncoder.encode(name, StandardCharsets.UTF_8));
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(REST_TIMEOUT).GET();
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
      return Optional.of(Json.MAPPER.readTree(response.body()).path("experiment"));
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

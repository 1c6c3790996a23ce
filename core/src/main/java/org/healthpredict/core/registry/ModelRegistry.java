package org.healthpredict.core.registry;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.healthpredict.core.tracking.StoredRun;
import org.healthpredict.core.tracking.Tracking;
import org.healthpredict.core.tracking.TrackingException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MLflow's model registry over its REST API: registered models, model versions made from runs,
 * aliases, tags and (deprecated, best-effort) stages.
 *
 * <p>REST through the tracking connection ({@link Tracking#restGetJson}, {@link
 * Tracking#restSendJson}, {@link Tracking#restCreateJson}), so the registry shares its retry policy.
 */
public final class ModelRegistry {

  /** The run artifact directory a model version is made from. */
  public static final String MODEL_ARTIFACT = "model";
  public static final Duration DEFAULT_READY_TIMEOUT = Duration.ofMinutes(5);

  /** MLflow's deprecated model stages; only set best-effort (see {@link #transitionStage}). */
  public enum Stage {
    STAGING("Staging"), PRODUCTION("Production"), ARCHIVED("Archived");

    private final String mlflowName;

    Stage(String mlflowName) {
      this.mlflowName = mlflowName;
    }

    public String mlflowName() {
      return mlflowName;
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(ModelRegistry.class);
  /** Names go into search filters and artifact paths; quotes or slashes would change their meaning. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final Pattern VERSION = Pattern.compile("[1-9][0-9]*");
  /** Run ids go into a search filter too. */
  private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9_-]+");
  private static final int SEARCH_PAGE_SIZE = 1000;
  private static final Duration READY_POLL = Duration.ofMillis(250);

  private final Tracking tracking;

  public ModelRegistry(Tracking tracking) {
    this.tracking = tracking;
  }

  public Tracking tracking() {
    return tracking;
  }

  /** The registered model of that name, created if it does not exist yet; safe to repeat. */
  public RegisteredModel ensureRegisteredModel(String name) {
    checkName(name);
    Optional<RegisteredModel> found = registeredModel(name);
    if (found.isPresent()) {
      return found.get();
    }
    try {
      tracking.restSendJson("create registered model '" + name + "'", "POST",
          "registered-models/create", Map.of("name", name));
    } catch (TrackingException e) {
      // Another process may have created it between our lookup and create; theirs serves as well.
      return registeredModel(name).orElseThrow(() -> e);
    }
    return registeredModel(name).orElseThrow(() -> new RegistryException("registered model '"
        + name + "' was created at " + tracking.trackingUri() + " but cannot be read back"));
  }

  /** The registered model with its aliases and tags; empty if there is none of that name. */
  public Optional<RegisteredModel> registeredModel(String name) {
    checkName(name);
    return tracking.restGetJson("get registered model '" + name + "'", "registered-models/get",
        "name", name).map(answer -> RegisteredModel.fromJson(answer.path("registered_model")));
  }

  /** {@link #createVersion(String, String, Duration)} waiting up to {@link #DEFAULT_READY_TIMEOUT}. */
  public ModelVersion createVersion(String name, String runId) {
    return createVersion(name, runId, DEFAULT_READY_TIMEOUT);
  }

  /**
   * Registers the run's {@code model/} artifact directory as a new version of the model (creating
   * the registered model if needed) and waits until MLflow reports it READY.
   *
   * @throws RegistryException if the run has no {@code model/} artifact (then nothing is created),
   *     the registration fails, or it is not READY within the timeout
   * @throws TrackingException if there is no such run or the server refuses
   */
  public ModelVersion createVersion(String name, String runId, Duration readyTimeout) {
    checkName(name);
    StoredRun run = tracking.runInfo(runId);
    String source = run.artifactUri() + "/" + MODEL_ARTIFACT;
    // Checked before anything is written, so a refused run leaves no empty registered model behind.
    if (!hasModelArtifact(runId)) {
      throw new RegistryException("cannot register run '" + run.runName() + "' (" + runId
          + ") as a version of model '" + name + "': it has no '" + MODEL_ARTIFACT
          + "/' artifact (nothing under " + source + "). Log the fitted model there first;"
          + " nothing was registered.");
    }
    ensureRegisteredModel(name);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", name);
    body.put("source", source);
    body.put("run_id", runId);
    String what = "create a version of model '" + name + "' from run " + runId;
    ModelVersion created = tracking.restCreateJson(what, "model-versions/create", body)
        .map(answer -> ModelVersion.fromJson(answer.path("model_version")))
        .orElseThrow(() -> new RegistryException("cannot " + what + ": the server answered that"
            + " the model or run does not exist"));
    return awaitReady(created, readyTimeout);
  }

  private boolean hasModelArtifact(String runId) {
    return tracking.restGetJson("list the '" + MODEL_ARTIFACT + "' artifacts of run " + runId,
            "artifacts/list", "run_id", runId, "path", MODEL_ARTIFACT)
        .map(answer -> answer.path("files").size() > 0)
        .orElse(false);
  }

  private ModelVersion awaitReady(ModelVersion created, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    ModelVersion current = created;
    while (true) {
      switch (current.status()) {
        case "READY":
          return current;
        case "FAILED_REGISTRATION":
          throw new RegistryException("version " + current.version() + " of model '"
              + current.name() + "' failed to register (source " + current.source() + ")");
        default:
          break;
      }
      if (System.nanoTime() > deadline) {
        throw new RegistryException("version " + current.version() + " of model '"
            + current.name() + "' is still " + current.status() + " after " + timeout.toSeconds()
            + " s");
      }
      sleep(READY_POLL);
      current = version(current.name(), current.version());
    }
  }

  /** @throws RegistryException if the model has no such version */
  public ModelVersion version(String name, String version) {
    checkName(name);
    checkVersion(version);
    return tracking.restGetJson("get version " + version + " of model '" + name + "'",
            "model-versions/get", "name", name, "version", version)
        .map(answer -> ModelVersion.fromJson(answer.path("model_version")))
        .orElseThrow(() -> new RegistryException("model '" + name + "' has no version " + version
            + " at " + tracking.trackingUri()));
  }

  /**
   * The version an alias points at; empty when the alias is not set. Read from the registered
   * model's alias list, because MLflow answers a lookup of a missing alias
   * (registered-models/alias) with INVALID_PARAMETER_VALUE, indistinguishable from a bad request.
   *
   * @throws RegistryException if there is no registered model of that name
   */
  public Optional<ModelVersion> versionByAlias(String name, String alias) {
    return requireModel(name).alias(alias).map(version -> version(name, version));
  }

  /** Points an alias at a version, moving it if it pointed elsewhere. */
  public void setAlias(String name, String alias, String version) {
    checkName(name);
    checkVersion(version);
    send("set alias '" + alias + "' of model '" + name + "' to version " + version, "POST",
        "registered-models/alias", Map.of("name", name, "alias", alias, "version", version));
  }

  public void deleteAlias(String name, String alias) {
    checkName(name);
    send("delete alias '" + alias + "' of model '" + name + "'", "DELETE",
        "registered-models/alias", Map.of("name", name, "alias", alias));
  }

  /** Sets tags on a version; MLflow has no batch call, so one request per tag. */
  public void setVersionTags(String name, String version, Map<String, String> tags) {
    checkName(name);
    checkVersion(version);
    tags.forEach((key, value) -> send("set tag '" + key + "' of version " + version + " of model '"
        + name + "'", "POST", "model-versions/set-tag",
        Map.of("name", name, "version", version, "key", key, "value", value)));
  }

  public void setModelTag(String name, String key, String value) {
    checkName(name);
    send("set tag '" + key + "' of model '" + name + "'", "POST", "registered-models/set-tag",
        Map.of("name", name, "key", key, "value", value));
  }

  public void deleteModelTag(String name, String key) {
    checkName(name);
    send("delete tag '" + key + "' of model '" + name + "'", "DELETE",
        "registered-models/delete-tag", Map.of("name", name, "key", key));
  }

  /** Every version of the model, oldest first. */
  public List<ModelVersion> versions(String name) {
    checkName(name);
    return searchVersions("name = '" + name + "'");
  }

  /**
   * The versions of the model registered from the run, oldest first: MLflow stores the run id with
   * the version when it creates it, so a version whose creator died right after is found as well.
   */
  public List<ModelVersion> versionsOfRun(String name, String runId) {
    checkName(name);
    if (runId == null || !RUN_ID.matcher(runId).matches()) {
      throw new IllegalArgumentException("'" + runId + "' is not an MLflow run id");
    }
    return searchVersions("name = '" + name + "' and run_id = '" + runId + "'");
  }

  /**
   * Versions matching an MLflow search filter (e.g. {@code name = 'x' and run_id = 'y'}), every
   * page, ordered by model name then version number.
   */
  public List<ModelVersion> searchVersions(String filter) {
    List<ModelVersion> found = new ArrayList<>();
    String pageToken = "";
    do {
      List<String> query = new ArrayList<>(List.of("filter", filter,
          "max_results", Integer.toString(SEARCH_PAGE_SIZE)));
      if (!pageToken.isEmpty()) {
        query.addAll(List.of("page_token", pageToken));
      }
      JsonNode answer = tracking.restGetJson("search model versions (" + filter + ")",
          "model-versions/search", query.toArray(String[]::new)).orElseThrow(
              () -> new RegistryException("the server found nothing to search for " + filter));
      answer.path("model_versions").forEach(v -> found.add(ModelVersion.fromJson(v)));
      pageToken = answer.path("next_page_token").asText("");
    } while (!pageToken.isEmpty());
    found.sort(Comparator.comparing(ModelVersion::name).thenComparingLong(ModelVersion::number));
    return found;
  }

  /**
   * Moves a version to a stage if the server still supports stages (deprecated since MLflow 2.9);
   * never archives other versions. A refusal is logged and reported as false, not thrown, because
   * aliases, not stages, are what serving follows.
   */
  public boolean transitionStage(String name, String version, Stage stage) {
    checkName(name);
    checkVersion(version);
    try {
      send("move version " + version + " of model '" + name + "' to stage " + stage.mlflowName(),
          "POST", "model-versions/transition-stage", Map.of("name", name, "version", version,
              "stage", stage.mlflowName(), "archive_existing_versions", false));
      return true;
    } catch (TrackingException | RegistryException e) {
      LOG.warn("stage not set (stages are deprecated; aliases still apply): {}", e.getMessage());
      return false;
    }
  }

  RegisteredModel requireModel(String name) {
    return registeredModel(name).orElseThrow(() -> new RegistryException("there is no registered"
        + " model '" + name + "' at " + tracking.trackingUri()));
  }

  private void send(String what, String method, String endpoint, Map<String, ?> body) {
    tracking.restSendJson(what, method, endpoint, body).orElseThrow(() -> new RegistryException(
        "cannot " + what + ": the model or version does not exist at " + tracking.trackingUri()));
  }

  static void checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("'" + name + "' is not a registered model name we accept"
          + " (letters, digits, '.', '_' or '-', starting with a letter or digit)");
    }
  }

  private static void checkVersion(String version) {
    if (version == null || !VERSION.matcher(version).matches()) {
      throw new IllegalArgumentException("'" + version + "' is not a model version number");
    }
  }

  static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryException("interrupted while waiting on the model registry", e);
    }
  }
}

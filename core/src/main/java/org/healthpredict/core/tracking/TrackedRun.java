package org.healthpredict.core.tracking;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * One MLflow run being recorded: params, metrics, tags, artifacts and dataset inputs.
 *
 * <p>Use it in try-with-resources and call {@link #finish()} as the last statement of the block:
 * <pre>{@code
 * try (TrackedRun run = experiment.startRun("sweep")) {
 *   run.logParams(Map.of("maxDepth", "5"));
 *   ...
 *   run.finish();
 * }
 * }</pre>
 * A run closed without {@code finish()} — because an exception left the block — ends FAILED.
 * Java's {@code close()} cannot see the exception, so the explicit commit is what tells success
 * from failure; a run is never marked FINISHED by accident. Methods may be called from several
 * threads.
 */
public final class TrackedRun implements AutoCloseable {

  /** The tag by which MLflow nests a run under its parent. */
  public static final String PARENT_RUN_ID_TAG = "mlflow.parentRunId";
  /** The dataset-input tag saying what the run used a data set for. */
  public static final String DATA_CONTEXT_TAG = "mlflow.data.context";
  /** Set on a failed run: the exception, or why the run was closed without finishing. */
  public static final String FAILURE_TAG = "health_predict.failure";
  /** Set on a run reopened after failing ({@link Tracking#reopenRun}): its earlier failure. */
  public static final String PREVIOUS_FAILURE_TAG = "health_predict.previous_failure";

  // MLflow's per-request limits of log-batch.
  private static final int PARAMS_PER_BATCH = 100;
  private static final int TAGS_PER_BATCH = 100;
  private static final int METRICS_PER_BATCH = 1000;
  private static final int MAX_TAG_VALUE = 8000;

  private final Tracking tracking;
  private final Experiment experiment;
  private final String runId;
  private final String runName;
  private final String artifactUri;
  private final AtomicBoolean ended = new AtomicBoolean();
  private volatile ArtifactStore artifacts;

  TrackedRun(Tracking tracking, Experiment experiment, String runId, String runName,
      String artifactUri) {
    this.tracking = tracking;
    this.experiment = experiment;
    this.runId = runId;
    this.runName = runName;
    this.artifactUri = artifactUri;
  }

  public String runId() {
    return runId;
  }

  public String runName() {
    return runName;
  }

  public Experiment experiment() {
    return experiment;
  }

  /** The run's artifact root, e.g. {@code mlflow-artifacts:/1/<run id>/artifacts}. */
  public String artifactUri() {
    return artifactUri;
  }

  /** Starts a run nested under this one, in the same experiment. */
  public TrackedRun startChild(String childName) {
    return experiment.startChildRun(childName, runId);
  }

  public void logParam(String key, Object value) {
    logParams(Map.of(key, value));
  }

  /** Logs params in batches; values are written with {@code String.valueOf}. */
  public void logParams(Map<String, ?> params) {
    List<Map<String, String>> all = new ArrayList<>();
    params.forEach((key, value) -> all.add(Map.of("key", key, "value", String.valueOf(value))));
    for (List<Map<String, String>> batch : chunks(all, PARAMS_PER_BATCH)) {
      logBatch("log " + batch.size() + " params of run " + describe(), "params", batch);
    }
  }

  /** Logs a metric at step 0, stamped now. */
  public void logMetric(String key, double value) {
    logMetric(key, value, 0L);
  }

  /** Logs a metric at a step (e.g. a rung of the sweep), stamped now. */
  public void logMetric(String key, double value, long step) {
    logMetric(key, value, step, System.currentTimeMillis());
  }

  public void logMetric(String key, double value, long step, long timestampMillis) {
    logMetricValues(List.of(metric(key, value, step, timestampMillis)));
  }

  /** Logs several metrics at one step with one timestamp. */
  public void logMetrics(Map<String, Double> metrics, long step) {
    long now = System.currentTimeMillis();
    List<Map<String, Object>> all = new ArrayList<>();
    metrics.forEach((key, value) -> all.add(metric(key, value, step, now)));
    logMetricValues(all);
  }

  private void logMetricValues(List<Map<String, Object>> metrics) {
    for (List<Map<String, Object>> batch : chunks(metrics, METRICS_PER_BATCH)) {
      logBatch("log " + batch.size() + " metrics of run " + describe(), "metrics", batch);
    }
  }

  /**
   * One {@code runs/log-batch} request. Safe to repeat after a lost answer: params of equal value,
   * tags and metrics with the same step and timestamp are taken again as they were.
   */
  private void logBatch(String what, String field, List<? extends Map<String, ?>> entries) {
    tracking.http().send(what, "POST", "runs/log-batch", Map.of("run_id", runId, field, entries),
        MlflowHttp.Repeat.SAFE).orElseThrow(() -> gone(what));
  }

  /** NaN and infinities go as the strings MLflow's protobuf JSON reads ("NaN", "Infinity"). */
  private static Map<String, Object> metric(String key, double value, long step, long timestamp) {
    return Map.of("key", key, "value", value, "step", step, "timestamp", timestamp);
  }

  public void setTag(String key, String value) {
    setTags(Map.of(key, value));
  }

  public void setTags(Map<String, String> tags) {
    List<Map<String, String>> all = new ArrayList<>();
    tags.forEach((key, value) -> all.add(Map.of("key", key, "value", value)));
    for (List<Map<String, String>> batch : chunks(all, TAGS_PER_BATCH)) {
      logBatch("set " + batch.size() + " tags of run " + describe(), "tags", batch);
    }
  }

  /** Uploads a local file to the root of the run's artifacts. */
  public void logArtifact(Path localFile) {
    logArtifact(localFile, "");
  }

  /** Uploads a local file into an artifact directory ("" for the root), keeping its file name. */
  public void logArtifact(Path localFile, String artifactPath) {
    if (!Files.isRegularFile(localFile)) {
      throw new IllegalArgumentException("cannot log artifact " + localFile
          + " of run " + describe() + ": not a file");
    }
    String target = ArtifactPaths.join(ArtifactPaths.directory(artifactPath),
        localFile.getFileName().toString());
    store().upload(List.of(new ArtifactStore.Upload(localFile, target)));
  }

  /** Uploads everything below a local directory to the root of the run's artifacts. */
  public void logArtifacts(Path localDir) {
    logArtifacts(localDir, "");
  }

  /**
   * Uploads every file below a local directory, keeping the tree, into an artifact directory (""
   * for the root): {@code dir/a/b.txt} becomes {@code <artifactPath>/a/b.txt}, as MLflow's
   * {@code log_artifacts} does. Empty directories are not kept; artifact stores have no such thing.
   */
  public void logArtifacts(Path localDir, String artifactPath) {
    if (!Files.isDirectory(localDir)) {
      throw new IllegalArgumentException("cannot log artifacts from " + localDir
          + " for run " + describe() + ": not a directory");
    }
    String directory = ArtifactPaths.directory(artifactPath);
    List<ArtifactStore.Upload> uploads;
    try (Stream<Path> files = Files.walk(localDir)) {
      uploads = files.filter(Files::isRegularFile).sorted()
          .map(file -> new ArtifactStore.Upload(file,
              ArtifactPaths.join(directory, ArtifactPaths.relative(localDir, file))))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + localDir + " to log it as artifacts", e);
    }
    store().upload(uploads);
  }

  /** Writes text (UTF-8) as an artifact file, e.g. {@code "reports/drift.json"}. */
  public void logText(String text, String artifactFile) {
    String dir = ArtifactPaths.directory(artifactFile);
    if (dir.isEmpty()) {
      throw new IllegalArgumentException("logText needs an artifact file name");
    }
    store().write(text.getBytes(StandardCharsets.UTF_8), dir);
  }

  /**
   * The bytes of one of this run's artifact files, e.g. {@code "sweep/journal.jsonl"}; empty if
   * there is no such file (see {@link Tracking#readArtifact}).
   */
  public Optional<byte[]> readArtifact(String artifactFile) {
    String file = ArtifactPaths.directory(artifactFile);
    if (file.isEmpty()) {
      throw new IllegalArgumentException("readArtifact needs an artifact file path");
    }
    return store().read(file);
  }

  /**
   * Records a data set the run consumed, with its source URI ({@code file:}, {@code s3a:} …),
   * schema and profile as JSON (either may be null) and what it was used for, e.g. "training".
   */
  public void logDatasetInput(String name, String digest, String sourceUri, String schemaJson,
      String profileJson, String context) {
    logDatasetInput(DatasetInput.fromUri(name, digest, sourceUri, schemaJson, profileJson,
        context));
  }

  /** Records a data set the run consumed (REST {@code runs/log-inputs}). */
  public void logDatasetInput(DatasetInput input) {
    Map<String, Object> dataset = new LinkedHashMap<>();
    dataset.put("name", input.name());
    dataset.put("digest", input.digest());
    dataset.put("source_type", input.sourceType());
    dataset.put("source", input.source());
    if (input.schema() != null) {
      dataset.put("schema", input.schema());
    }
    if (input.profile() != null) {
      dataset.put("profile", input.profile());
    }
    Map<String, Object> datasetInput = new LinkedHashMap<>();
    datasetInput.put("tags", input.context() == null ? List.of()
        : List.of(Map.of("key", DATA_CONTEXT_TAG, "value", input.context())));
    datasetInput.put("dataset", dataset);
    String what = "log dataset input '" + input.name() + "' of run " + describe();
    // Safe to repeat: MLflow keeps one input per data set digest and run.
    tracking.http().send(what, "POST", "runs/log-inputs",
        Map.of("run_id", runId, "datasets", List.of(datasetInput)), MlflowHttp.Repeat.SAFE)
        .orElseThrow(() -> gone(what));
  }

  /** Ends the run FINISHED; call it as the last step of the work the run records. */
  public void finish() {
    end("FINISHED");
  }

  /** Ends the run FAILED, recording the cause in tag {@value #FAILURE_TAG}. */
  public void fail(Throwable cause) {
    if (ended.get()) {
      return;
    }
    setTag(FAILURE_TAG, truncate(String.valueOf(cause)));
    end("FAILED");
  }

  public boolean isEnded() {
    return ended.get();
  }

  /** Ends the run FAILED unless {@link #finish()} or {@link #fail} already ended it. */
  @Override
  public void close() {
    if (ended.get()) {
      return;
    }
    setTag(FAILURE_TAG, "closed without finish(): the work it tracked did not complete");
    end("FAILED");
  }

  private void end(String status) {
    if (ended.compareAndSet(false, true)) {
      String what = "end run " + describe() + " as " + status;
      tracking.http().send(what, "POST", "runs/update", Map.of("run_id", runId, "status", status,
          "end_time", System.currentTimeMillis()), MlflowHttp.Repeat.SAFE)
          .orElseThrow(() -> gone(what));
    }
  }

  private TrackingException gone(String what) {
    return new TrackingException("cannot " + what + " at " + tracking.trackingUri()
        + ": the run does not exist (deleted?)");
  }

  private ArtifactStore store() {
    ArtifactStore store = artifacts;
    if (store == null) {
      store = tracking.artifactStore(artifactUri);
      artifacts = store;
    }
    return store;
  }

  private String describe() {
    return "'" + runName + "' (" + runId + ")";
  }

  private static String truncate(String s) {
    return s.length() <= MAX_TAG_VALUE ? s : s.substring(0, MAX_TAG_VALUE - 1) + "…";
  }

  private static <T> List<List<T>> chunks(List<T> items, int size) {
    List<List<T>> chunks = new ArrayList<>();
    for (int i = 0; i < items.size(); i += size) {
      chunks.add(items.subList(i, Math.min(items.size(), i + size)));
    }
    return chunks;
  }

  @Override
  public String toString() {
    return "TrackedRun[" + runName + " (" + runId + ")]";
  }
}

package org.healthpredict.core.registry;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.healthpredict.core.tracking.Experiment;
import org.healthpredict.core.tracking.Tracking;
import org.healthpredict.core.tracking.TrackedRun;

/**
 * The append-only history of a registered model's promotions, kept with the registry's artifacts:
 * JSON lines in the artifact {@code audit/<model>.jsonl} of one MLflow run per model (experiment
 * {@value #EXPERIMENT}, run name {@code audit-<model>}, found by tag {@value #MODEL_TAG}).
 *
 * <p>An artifact cannot be appended to, so every append reads the file and uploads it again with
 * the new line after the old bytes, unchanged; nothing is ever removed. That read-modify-write is
 * serialised per model within this JVM; across processes it is safe only under the model's
 * promotion lease, which is how {@link Promotion} calls it.
 */
public final class AuditLog {

  public static final String EXPERIMENT = "health-predict-registry";
  /** Marks the run holding a model's audit file; its value is the model name. */
  public static final String MODEL_TAG = "health_predict.audit_model";

  private static final ConcurrentHashMap<String, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

  private final Tracking tracking;
  private final String experimentName;

  public AuditLog(Tracking tracking) {
    this(tracking, EXPERIMENT);
  }

  public AuditLog(Tracking tracking, String experimentName) {
    this.tracking = tracking;
    this.experimentName = experimentName;
  }

  /** The artifact path of a model's audit file inside its audit run. */
  public static String artifactPath(String model) {
    ModelRegistry.checkName(model);
    return "audit/" + model + ".jsonl";
  }

  /** Appends one line to the entry's model's audit file and returns the entry. */
  public AuditEntry append(AuditEntry entry) {
    String path = artifactPath(entry.model());
    ReentrantLock lock = LOCKS.computeIfAbsent(tracking.trackingUri() + " " + experimentName
        + " " + entry.model(), key -> new ReentrantLock());
    lock.lock();
    try {
      String runId = auditRun(entry.model()).orElseGet(() -> createAuditRun(entry.model()));
      String old = tracking.readArtifact(runId, path)
          .map(bytes -> new String(bytes, StandardCharsets.UTF_8)).orElse("");
      String separator = old.isEmpty() || old.endsWith("\n") ? "" : "\n";
      TrackedRun run = tracking.reopenRun(runId);
      run.logText(old + separator + entry.toJsonLine() + "\n", path);
      run.finish();
      return entry;
    } finally {
      lock.unlock();
    }
  }

  /** The model's audit entries, oldest first; empty if nothing was recorded yet. */
  public List<AuditEntry> entries(String model) {
    String path = artifactPath(model);
    Optional<String> runId = auditRun(model);
    if (runId.isEmpty()) {
      return List.of();
    }
    String text = tracking.readArtifact(runId.get(), path)
        .map(bytes -> new String(bytes, StandardCharsets.UTF_8)).orElse("");
    List<AuditEntry> entries = new ArrayList<>();
    String[] lines = text.split("\n");
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].isBlank()) {
        continue;
      }
      try {
        entries.add(AuditEntry.fromJson(RegistryJson.MAPPER.readTree(lines[i])));
      } catch (IOException | RuntimeException e) {
        throw new RegistryException("line " + (i + 1) + " of audit file " + path + " (run "
            + runId.get() + ") is not an audit entry: " + e.getMessage(), e);
      }
    }
    return entries;
  }

  /** The oldest run tagged for the model, so a duplicate made by a lost race is never chosen. */
  private Optional<String> auditRun(String model) {
    Experiment experiment = tracking.experiment(experimentName);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("experiment_ids", List.of(experiment.id()));
    body.put("filter", "tags.`" + MODEL_TAG + "` = '" + model + "'");
    body.put("max_results", 1);
    body.put("order_by", List.of("attributes.start_time ASC"));
    JsonNode answer = tracking.restSendJson("find the audit run of model '" + model + "'", "POST",
        "runs/search", body).orElseThrow(() -> new RegistryException("experiment '"
            + experimentName + "' vanished while looking for the audit run of '" + model + "'"));
    JsonNode runs = answer.path("runs");
    return runs.isEmpty() ? Optional.empty()
        : Optional.of(runs.get(0).path("info").path("run_id").asText());
  }

  private String createAuditRun(String model) {
    TrackedRun run = tracking.experiment(experimentName).startRun("audit-" + model);
    run.setTag(MODEL_TAG, model);
    run.finish();
    return run.runId();
  }
}

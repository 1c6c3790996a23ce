package org.healthpredict.core.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.healthpredict.core.testing.SharedMlflow;
import org.healthpredict.core.tracking.StoredRun;
import org.healthpredict.core.tracking.Tracking;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The audit log as JSON lines in an MLflow run's artifact, appended and read back. */
@ExtendWith(SharedMlflow.class)
class AuditLogTest {

  private static RegistryFixture fixture;
  private static AuditLog audit;

  @BeforeAll
  static void connect(Tracking tracking) {
    fixture = new RegistryFixture(tracking);
    audit = fixture.audit;
  }

  private static AuditEntry entry(String model, AuditAction action, String version,
      String reason) {
    return new AuditEntry(Instant.parse("2026-11-24T12:00:00Z"), "alice", action, model, version,
        "1", action == AuditAction.PROMOTED ? version : "1",
        Map.of("test_pr_auc", 0.20), Map.of("test_pr_auc", 0.25, "test_brier", Double.NaN), reason);
  }

  @Test
  void entriesReadBackInTheOrderTheyWereAppended() {
    String model = RegistryFixture.uniqueModel("audit-order");
    AuditEntry pending = entry(model, AuditAction.PENDING, "2", "needs a clinician's look");
    AuditEntry approved = entry(model, AuditAction.APPROVED, "2", "approved by bob");
    AuditEntry rolledBack = entry(model, AuditAction.ROLLED_BACK, "1", "alerts doubled");

    audit.append(pending);
    audit.append(approved);
    audit.append(rolledBack);

    List<AuditEntry> entries = audit.entries(model);
    assertThat(entries).extracting(AuditEntry::action).containsExactly(AuditAction.PENDING,
        AuditAction.APPROVED, AuditAction.ROLLED_BACK);
    assertThat(entries.get(0)).usingRecursiveComparison()
        .ignoringFields("metricsAfter").isEqualTo(pending);
    assertThat(entries.get(0).metricsAfter().get("test_brier")).isNaN();
    assertThat(entries.get(2).reason()).isEqualTo("alerts doubled");
  }

  @Test
  void eachAppendKeepsTheEarlierLinesByteForByte() {
    String model = RegistryFixture.uniqueModel("audit-bytes");
    audit.append(entry(model, AuditAction.REJECTED, "3", "worse"));
    String runId = auditRunId(model);
    String before = read(runId, model);

    audit.append(entry(model, AuditAction.PROMOTED, "4", "better"));

    String after = read(runId, model);
    assertThat(after).startsWith(before);
    assertThat(after.lines()).hasSize(2);
    assertThat(after.lines().toList().get(1))
        .contains("\"action\":\"promoted\"", "\"champion_before\":\"1\"", "\"reason\":\"better\"");
  }

  @Test
  void eachModelHasItsOwnAuditRunFoundByTag() {
    String first = RegistryFixture.uniqueModel("audit-a");
    String second = RegistryFixture.uniqueModel("audit-b");

    audit.append(entry(first, AuditAction.REJECTED, "1", "a"));
    audit.append(entry(second, AuditAction.REJECTED, "1", "b"));

    StoredRun run = fixture.tracking.runInfo(auditRunId(first));
    assertThat(run.runName()).isEqualTo("audit-" + first);
    assertThat(run.tags()).containsEntry(AuditLog.MODEL_TAG, first);
    assertThat(auditRunId(second)).isNotEqualTo(run.runId());
    assertThat(audit.entries(first)).extracting(AuditEntry::reason).containsExactly("a");
    assertThat(audit.entries(second)).extracting(AuditEntry::reason).containsExactly("b");
  }

  @Test
  void aModelWithoutHistoryHasNoEntries() {
    assertThat(audit.entries(RegistryFixture.uniqueModel("audit-none"))).isEmpty();
  }

  /** The one run of the registry experiment tagged for the model. */
  private static String auditRunId(String model) {
    String experimentId = fixture.tracking.experiment(AuditLog.EXPERIMENT).id();
    var answer = fixture.tracking.restSendJson("find audit run", "POST", "runs/search",
        Map.of("experiment_ids", List.of(experimentId),
            "filter", "tags.`" + AuditLog.MODEL_TAG + "` = '" + model + "'"))
        .orElseThrow();
    assertThat(answer.path("runs").size()).isEqualTo(1);
    return answer.path("runs").get(0).path("info").path("run_id").asText();
  }

  private static String read(String runId, String model) {
    return new String(fixture.tracking.readArtifact(runId, AuditLog.artifactPath(model))
        .orElseThrow(), StandardCharsets.UTF_8);
  }
}

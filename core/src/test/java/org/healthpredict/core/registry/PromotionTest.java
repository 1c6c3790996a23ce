package org.healthpredict.core.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import java.util.Optional;
import org.healthpredict.core.testing.SharedMlflow;
import org.healthpredict.core.tracking.Tracking;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Promotions, rejections, approvals and rollbacks against a real MLflow registry. */
@ExtendWith(SharedMlflow.class)
class PromotionTest {

  private static RegistryFixture fixture;
  private static ModelRegistry registry;
  private static Promotion promotion;
  private static final PromotionGate GATE = PromotionGate.defaults();

  @BeforeAll
  static void connect(Tracking tracking) {
    fixture = new RegistryFixture(tracking);
    registry = fixture.registry;
    promotion = fixture.promotion("promotion-test");
  }

  private static String alias(String model, String alias) {
    return registry.requireModel(model).alias(alias).orElse(null);
  }

  /** Gates the candidate against the current champion and carries out the decision. */
  private static AuditEntry gateAndDecide(String model, String version, double prAuc,
      Optional<Double> championPrAuc) {
    Optional<String> champion = registry.requireModel(model).alias(Promotion.CHAMPION);
    GateDecision decision = GATE.decide(RegistryFixture.evaluation(prAuc),
        championPrAuc.map(RegistryFixture::evaluation));
    return promotion.decide(model, version, champion, decision, "ci");
  }

  @Test
  void theFirstCandidateBecomesChampionWithNoPrevious() {
    String model = RegistryFixture.uniqueModel("first");
    ModelVersion v1 = fixture.version(model, 0.20);

    AuditEntry entry = gateAndDecide(model, v1.version(), 0.20, Optional.empty());

    assertThat(entry.action()).isEqualTo(AuditAction.PROMOTED);
    assertThat(alias(model, Promotion.CHAMPION)).isEqualTo("1");
    assertThat(alias(model, Promotion.PREVIOUS)).isNull();
    assertThat(registry.version(model, "1").currentStage()).isEqualTo("Production");
  }

  @Test
  void aBetterCandidateMovesChampionAndPreviousAndTagsBothVersions() {
    String model = RegistryFixture.uniqueModel("promote");
    fixture.version(model, 0.20);
    fixture.version(model, 0.25);
    gateAndDecide(model, "1", 0.20, Optional.empty());

    AuditEntry entry = gateAndDecide(model, "2", 0.25, Optional.of(0.20));

    assertThat(alias(model, Promotion.CHAMPION)).isEqualTo("2");
    assertThat(alias(model, Promotion.PREVIOUS)).isEqualTo("1");
    ModelVersion two = registry.version(model, "2");
    assertThat(two.tags()).containsEntry(Promotion.DECISION_TAG, "promoted")
        .containsEntry(Promotion.ACTOR_TAG, "ci")
        .containsKey(Promotion.DECIDED_AT_TAG);
    assertThat(two.tag(Promotion.REASON_TAG)).get().asString()
        .contains("0.2500", "0.2000", "better by 0.0500");
    assertThat(registry.version(model, "1").tag(Promotion.DECISION_TAG)).contains("superseded");
    assertThat(registry.version(model, "1").currentStage()).isEqualTo("Archived");
    assertThat(entry.championBefore()).isEqualTo("1");
    assertThat(entry.championAfter()).isEqualTo("2");
    assertThat(entry.metricsBefore()).containsEntry("test_pr_auc", 0.20);
    assertThat(entry.metricsAfter()).containsEntry("test_pr_auc", 0.25);
  }

  @Test
  void aWorseCandidateIsRejectedWithTheReasonOnTheVersionAndInTheAuditLog() {
    String model = RegistryFixture.uniqueModel("reject");
    fixture.version(model, 0.20);
    fixture.version(model, 0.18);
    gateAndDecide(model, "1", 0.20, Optional.empty());

    AuditEntry entry = gateAndDecide(model, "2", 0.18, Optional.of(0.20));

    assertThat(entry.action()).isEqualTo(AuditAction.REJECTED);
    assertThat(alias(model, Promotion.CHAMPION)).isEqualTo("1");
    ModelVersion two = registry.version(model, "2");
    assertThat(two.tag(Promotion.DECISION_TAG)).contains("rejected");
    assertThat(two.tag(Promotion.REASON_TAG)).contains("candidate test_pr_auc 0.1800 vs champion"
        + " 0.2000 (higher is better, margin 0.0000): worse by 0.0200");
    assertThat(fixture.audit.entries(model)).extracting(AuditEntry::action, AuditEntry::version)
        .containsExactly(tuple(AuditAction.PROMOTED, "1"),
            tuple(AuditAction.REJECTED, "2"));
    assertThat(fixture.audit.entries(model).get(1).reason()).contains("worse by 0.0200");
  }

  @Test
  void rollbackRestoresTheOldChampionAndKeepsTheRolledBackOneAsPrevious() {
    String model = RegistryFixture.uniqueModel("rollback");
    fixture.version(model, 0.20);
    fixture.version(model, 0.25);
    gateAndDecide(model, "1", 0.20, Optional.empty());
    gateAndDecide(model, "2", 0.25, Optional.of(0.20));

    AuditEntry entry = promotion.rollback(model, "alert rate doubled in production", "oncall");

    assertThat(alias(model, Promotion.CHAMPION)).isEqualTo("1");
    assertThat(alias(model, Promotion.PREVIOUS)).isEqualTo("2");
    assertThat(registry.version(model, "2").tag(Promotion.DECISION_TAG)).contains("rolled_back");
    assertThat(registry.version(model, "1").tag(Promotion.DECISION_TAG)).contains("restored");
    assertThat(entry.action()).isEqualTo(AuditAction.ROLLED_BACK);
    assertThat(entry.championBefore()).isEqualTo("2");
    assertThat(entry.championAfter()).isEqualTo("1");
    assertThat(fixture.audit.entries(model)).last().extracting(AuditEntry::actor)
        .isEqualTo("oncall");
  }

  @Test
  void rollbackWithoutAPreviousChampionFailsClearlyAndMovesNothing() {
    String model = RegistryFixture.uniqueModel("rollback-none");
    fixture.version(model, 0.20);
    gateAndDecide(model, "1", 0.20, Optional.empty());

    assertThatThrownBy(() -> promotion.rollback(model, "why not", "oncall"))
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining("no 'previous' alias")
        .hasMessageContaining("stays at version 1");
    assertThat(alias(model, Promotion.CHAMPION)).isEqualTo("1");
  }

  @Test
  void aPendingVersionBecomesChampionOnlyWhenApproved() {
    String model = RegistryFixture.uniqueModel("approve");
    fixture.version(model, 0.20);
    fixture.version(model, 0.30);
    gateAndDecide(model, "1", 0.20, Optional.empty());

    promotion.markPending(model, "2", Optional.of("1"), "large jump; needs a clinician's look",
        "ci");
    assertThat(alias(model, Promotion.CHAMPION)).isEqualTo("1");
    assertThat(registry.version(model, "2").tag(Promotion.APPROVAL_TAG)).contains("pending");

    AuditEntry entry = promotion.approve(model, "2", "dr-bob");

    assertThat(entry.action()).isEqualTo(AuditAction.APPROVED);
    assertThat(alias(model, Promotion.CHAMPION)).isEqualTo("2");
    assertThat(alias(model, Promotion.PREVIOUS)).isEqualTo("1");
    assertThat(registry.version(model, "2").tags())
        .containsEntry(Promotion.APPROVAL_TAG, "approved")
        .containsEntry(Promotion.ACTOR_TAG, "dr-bob");
    assertThat(entry.metricsAfter()).containsEntry("test_pr_auc", 0.30);
    assertThat(fixture.audit.entries(model)).extracting(AuditEntry::action).containsExactly(
        AuditAction.PROMOTED, AuditAction.PENDING, AuditAction.APPROVED);
  }

  @Test
  void approvingAVersionThatIsNotPendingFailsAndMovesNothing() {
    String model = RegistryFixture.uniqueModel("approve-not-pending");
    fixture.version(model, 0.20);
    fixture.version(model, 0.30);
    gateAndDecide(model, "1", 0.20, Optional.empty());

    assertThatThrownBy(() -> promotion.approve(model, "2", "dr-bob"))
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining("version 2")
        .hasMessageContaining("not pending approval");
    assertThat(alias(model, Promotion.CHAMPION)).isEqualTo("1");
  }

  @Test
  void approvingAfterTheChampionMovedIsAConflictThatConsumesTheApproval() {
    String model = RegistryFixture.uniqueModel("approve-stale");
    fixture.version(model, 0.20);
    fixture.version(model, 0.30);
    fixture.version(model, 0.31);
    gateAndDecide(model, "1", 0.20, Optional.empty());
    promotion.markPending(model, "2", Optional.of("1"), "needs review", "ci");
    gateAndDecide(model, "3", 0.31, Optional.of(0.20));

    assertThatThrownBy(() -> promotion.approve(model, "2", "dr-bob"))
        .isInstanceOf(PromotionConflictException.class)
        .hasMessageContaining("assumed champion version 1")
        .hasMessageContaining("now version 3");
    assertThat(alias(model, Promotion.CHAMPION)).isEqualTo("3");
    assertThat(registry.version(model, "2").tag(Promotion.APPROVAL_TAG)).contains("rejected");
  }

  @Test
  void aPromotionFromAStaleExpectedChampionIsAConflictAndMovesNothing() {
    String model = RegistryFixture.uniqueModel("stale");
    fixture.version(model, 0.20);
    fixture.version(model, 0.25);
    gateAndDecide(model, "1", 0.20, Optional.empty());

    assertThatThrownBy(() -> promotion.promote(model, "2", Optional.empty(), "manual", "ops"))
        .isInstanceOf(PromotionConflictException.class)
        .hasMessageContaining("assumed champion (none)")
        .hasMessageContaining("now version 1");
    assertThat(alias(model, Promotion.CHAMPION)).isEqualTo("1");
    assertThat(fixture.audit.entries(model)).last().extracting(AuditEntry::reason).asString()
        .startsWith("conflict:");
  }

  @Test
  void aPromotionKilledAfterTheChampionAliasMovedIsRecordedByTheRerunOnce() {
    String model = RegistryFixture.uniqueModel("killed-promotion");
    fixture.version(model, 0.20);
    fixture.version(model, 0.25);
    gateAndDecide(model, "1", 0.20, Optional.empty());
    int lines = fixture.audit.entries(model).size();
    // What a promoter killed right after its alias writes leaves: both aliases moved, nothing recorded.
    registry.setAlias(model, Promotion.PREVIOUS, "1");
    registry.setAlias(model, Promotion.CHAMPION, "2");
    assertThat(Promotion.decided(registry.version(model, "2"))).isFalse();

    Optional<AuditEntry> done = promotion.completeInterrupted(model, "2", "retry");

    assertThat(done).get().extracting(AuditEntry::action, AuditEntry::championBefore, AuditEntry::championAfter)
        .containsExactly(AuditAction.PROMOTED, "1", "2");
    assertThat(Promotion.decided(registry.version(model, "2"))).isTrue();
    assertThat(registry.version(model, "1").tag(Promotion.DECISION_TAG)).contains("superseded");
    assertThat(fixture.audit.entries(model)).hasSize(lines + 1);
    // Finishing it again finds it done: no second audit line, nothing moved.
    assertThat(promotion.completeInterrupted(model, "2", "retry")).get()
        .extracting(AuditEntry::version).isEqualTo("2");
    assertThat(fixture.audit.entries(model)).hasSize(lines + 1);
    assertThat(alias(model, Promotion.CHAMPION)).isEqualTo("2");
    assertThat(alias(model, Promotion.PREVIOUS)).isEqualTo("1");
  }

  @Test
  void aDecisionInTheAuditLogWithoutItsTagsGetsTheTagsNotASecondLine() {
    String model = RegistryFixture.uniqueModel("killed-rejection");
    fixture.version(model, 0.20);
    fixture.version(model, 0.10);
    gateAndDecide(model, "1", 0.20, Optional.empty());
    // The tags are written after the audit line; a process killed in between leaves the line alone.
    AuditEntry rejected = fixture.audit.append(new AuditEntry(java.time.Instant.now(), "ci", AuditAction.REJECTED,
        model, "2", "1", "1", java.util.Map.of(), java.util.Map.of(), "test_pr_auc 0.1000 is not better"));
    int lines = fixture.audit.entries(model).size();

    assertThat(promotion.completeInterrupted(model, "2", "retry")).get()
        .extracting(AuditEntry::action, AuditEntry::reason).containsExactly(AuditAction.REJECTED, rejected.reason());

    assertThat(registry.version(model, "2").tag(Promotion.DECISION_TAG)).contains("rejected");
    assertThat(registry.version(model, "2").tag(Promotion.REASON_TAG)).contains(rejected.reason());
    assertThat(fixture.audit.entries(model)).hasSize(lines);
    assertThat(alias(model, Promotion.CHAMPION)).isEqualTo("1");
  }

  @Test
  void aVersionNeverDecidedIsLeftToBeDecided() {
    String model = RegistryFixture.uniqueModel("undecided");
    fixture.version(model, 0.20);

    assertThat(promotion.completeInterrupted(model, "1", "retry")).isEmpty();
    assertThat(registry.requireModel(model).aliases()).isEmpty();
    assertThat(fixture.audit.entries(model)).isEmpty();
  }
}

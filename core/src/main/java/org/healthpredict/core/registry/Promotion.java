package org.healthpredict.core.registry;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.healthpredict.core.testhook.PausePoint;
import org.healthpredict.core.tracking.TrackingException;

/**
 * Moves a model's {@value #CHAMPION} alias (the version serving loads) as gate decisions, approvals
 * and rollbacks say, leaving tags on the versions and a line in the {@link AuditLog} for each.
 *
 * <p><b>Aliases.</b> {@value #CHAMPION} is the serving version; {@value #PREVIOUS} the version that
 * was champion just before it. A promotion sets {@value #PREVIOUS} first, then {@value #CHAMPION},
 * so a crash in between leaves both on the old champion, never serving something undecided. A
 * rollback swaps the two (the restored version becomes champion, the rolled-back one previous), so
 * it is itself undoable and no version drops out of the aliases; the rolled-back version is tagged
 * {@code rolled_back}.
 *
 * <p><b>Races.</b> Every change is check-and-set: the champion must still be the version the
 * decision assumed (for a pending approval, the one recorded when it was marked pending), else
 * {@link PromotionConflictException} and nothing moves. After writing, the aliases are read back and
 * checked. Within one JVM, changes to one model are serialised by a lock, so of two racing
 * promotions from the same expected champion exactly one wins. Across processes they are serialised
 * by the model's promotion lease ({@link PromotionLease}), which holds under its stated timing
 * assumptions; MLflow offers no compare-and-swap, so a writer that bypasses the lease (the MLflow UI,
 * another tool) can still move an alias between our check and our write — the read-back catches that
 * only if it happened before the read-back.
 *
 * <p><b>Stages.</b> Deprecated in MLflow 3; set best-effort (Production / Archived) and never fail a
 * promotion.
 *
 * <p><b>A decider killed part-way.</b> A decision is done in an order that a retry can finish: the
 * aliases (the commit point of a promotion), the old champion's tags and the stages, the audit line,
 * and last the version's own decision tags, so a version with a {@value #DECISION_TAG} tag is decided
 * completely. {@link #completeInterrupted} finishes what a killed decider left: the bookkeeping of a
 * promotion whose champion alias had moved, or the tags of a decision already in the audit log.
 */
public final class Promotion {

  public static final String CHAMPION = "champion";
  public static final String PREVIOUS = "previous";
  public static final String DECISION_TAG = "health_predict.decision";
  public static final String REASON_TAG = "health_predict.reason";
  public static final String DECIDED_AT_TAG = "health_predict.decided_at";
  public static final String ACTOR_TAG = "health_predict.actor";
  public static final String APPROVAL_TAG = "health_predict.approval";
  /** On a pending version: the champion its decision assumed, or {@value #NO_CHAMPION}. */
  public static final String EXPECTED_CHAMPION_TAG = "health_predict.expected_champion";
  public static final String NO_CHAMPION = "none";
  /** The prefix of run metrics recorded in the audit log when no gate decision supplies them. */
  public static final String TEST_METRIC_PREFIX = "test_";
  /** Pause point (see {@link PausePoint}): the champion alias moved, nothing else recorded yet. */
  public static final String PAUSE_CHAMPION_MOVED = "promotion:champion-moved";

  /** How a rejection for a lost race starts its reason: such a version is decided again. */
  public static final String CONFLICT_PREFIX = "conflict:";
  /** The audit actions that decide a candidate, and the decision tag each leaves on it. */
  private static final Map<AuditAction, String> DECISIONS = Map.of(AuditAction.PROMOTED, "promoted",
      AuditAction.REJECTED, "rejected", AuditAction.PENDING, "pending");

  private static final ConcurrentHashMap<String, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

  private final ModelRegistry registry;
  private final AuditLog audit;
  private final LeasePolicy leasePolicy;
  private final Clock clock;

  public Promotion(ModelRegistry registry, AuditLog audit) {
    this(registry, audit, LeasePolicy.defaults(), Clock.systemUTC());
  }

  public Promotion(ModelRegistry registry, AuditLog audit, LeasePolicy leasePolicy, Clock clock) {
    this.registry = registry;
    this.audit = audit;
    this.leasePolicy = leasePolicy;
    this.clock = clock;
  }

  /**
   * Carries out a gate decision: PROMOTE makes the version champion (as {@link #promote}),
   * REJECT records the rejection on the version and in the audit log and moves nothing.
   *
   * @param expectedChampion the champion the decision compared against; empty if there was none
   * @throws PromotionConflictException if the champion is no longer {@code expectedChampion}
   */
  public AuditEntry decide(String model, String version, Optional<String> expectedChampion,
      GateDecision decision, String actor) {
    if (decision.promotes()) {
      return exclusively(model, lease -> promoteLocked(lease, model, version, expectedChampion,
          AuditAction.PROMOTED, decision.reason(), actor, decision.championMetrics(),
          decision.candidateMetrics()));
    }
    return exclusively(model, lease -> {
      Optional<String> champion = registry.requireModel(model).alias(CHAMPION);
      AuditEntry entry = audit.append(entry(AuditAction.REJECTED, model, version, champion, champion, actor,
          decision.championMetrics(), decision.candidateMetrics(), decision.reason()));
      registry.setVersionTags(model, version, decisionTags("rejected", decision.reason(), actor));
      return entry;
    });
  }

  /**
   * Makes the version champion without a gate decision (e.g. an operator's manual promotion); the
   * audit line carries the {@value #TEST_METRIC_PREFIX} metrics of both versions' runs.
   *
   * @throws PromotionConflictException if the champion is no longer {@code expectedChampion}
   */
  public AuditEntry promote(String model, String version, Optional<String> expectedChampion,
      String reason, String actor) {
    return exclusively(model, lease -> promoteLocked(lease, model, version, expectedChampion,
        AuditAction.PROMOTED, reason, actor, null, null));
  }

  /**
   * Holds a version for a person's approval: tags it {@code approval=pending} and records the
   * champion its decision assumed, which {@link #approve} will insist on.
   */
  public AuditEntry markPending(String model, String version, Optional<String> expectedChampion,
      String reason, String actor) {
    return exclusively(model, lease -> {
      registry.version(model, version);
      Optional<String> champion = registry.requireModel(model).alias(CHAMPION);
      AuditEntry entry = audit.append(entry(AuditAction.PENDING, model, version, champion, champion, actor,
          runMetrics(model, champion), runMetrics(model, Optional.of(version)), reason));
      registry.setVersionTags(model, version, pendingTags(reason, actor, expectedChampion));
      return entry;
    });
  }

  /**
   * Completes the promotion of a pending version.
   *
   * @throws RegistryException if the version is not pending approval
   * @throws PromotionConflictException if the champion moved since it was marked pending; the
   *     approval is then consumed (tag {@code approval=rejected}) and the version must be decided
   *     again
   */
  public AuditEntry approve(String model, String version, String actor) {
    return exclusively(model, lease -> {
      ModelVersion pending = registry.version(model, version);
      String approval = pending.tag(APPROVAL_TAG).orElse("not set");
      if (!approval.equals("pending")) {
        throw new RegistryException("cannot approve version " + version + " of model '" + model
            + "': it is not pending approval (tag " + APPROVAL_TAG + " is " + approval
            + "); mark it pending first");
      }
      String expected = pending.tag(EXPECTED_CHAMPION_TAG).orElse(NO_CHAMPION);
      String reason = "approved by " + actor + "; pending because: "
          + pending.tag(REASON_TAG).orElse("(no reason recorded)");
      try {
        AuditEntry entry = promoteLocked(lease, model, version,
            expected.equals(NO_CHAMPION) ? Optional.empty() : Optional.of(expected),
            AuditAction.APPROVED, reason, actor, null, null);
        registry.setVersionTags(model, version, Map.of(APPROVAL_TAG, "approved"));
        return entry;
      } catch (PromotionConflictException e) {
        registry.setVersionTags(model, version, Map.of(APPROVAL_TAG, "rejected"));
        throw e;
      }
    });
  }

  /**
   * Restores the previous champion: {@value #CHAMPION} moves to the version {@value #PREVIOUS}
   * points at, and {@value #PREVIOUS} to the rolled-back version.
   *
   * @throws RegistryException if there is no champion or no previous version to go back to
   */
  public AuditEntry rollback(String model, String reason, String actor) {
    return exclusively(model, lease -> {
      RegisteredModel before = registry.requireModel(model);
      String bad = before.alias(CHAMPION).orElseThrow(() -> new RegistryException("cannot roll"
          + " back model '" + model + "': it has no '" + CHAMPION + "' alias"));
      String restored = before.alias(PREVIOUS).orElseThrow(() -> new RegistryException("cannot"
          + " roll back model '" + model + "': it has no '" + PREVIOUS + "' alias, so there is"
          + " no earlier champion to restore; '" + CHAMPION + "' stays at version " + bad));
      if (restored.equals(bad)) {
        throw new RegistryException("cannot roll back model '" + model + "': '" + PREVIOUS
            + "' and '" + CHAMPION + "' both point at version " + bad);
      }
      lease.ensureHeld(leasePolicy.settle());
      // Champion first: a crash between the two writes must leave the good version serving.
      registry.setAlias(model, CHAMPION, restored);
      registry.setAlias(model, PREVIOUS, bad);
      verify(model, restored, Optional.of(bad));
      registry.setVersionTags(model, bad, decisionTags("rolled_back", reason, actor));
      registry.setVersionTags(model, restored, decisionTags("restored", reason, actor));
      registry.transitionStage(model, restored, ModelRegistry.Stage.PRODUCTION);
      registry.transitionStage(model, bad, ModelRegistry.Stage.ARCHIVED);
      return audit.append(entry(AuditAction.ROLLED_BACK, model, restored, Optional.of(bad),
          Optional.of(restored), actor, runMetrics(model, Optional.of(bad)),
          runMetrics(model, Optional.of(restored)), reason));
    });
  }

  /** Null metric maps mean "read the versions' run metrics". */
  private AuditEntry promoteLocked(PromotionLease lease, String model, String version,
      Optional<String> expectedChampion, AuditAction action, String reason, String actor,
      Map<String, Double> championMetrics, Map<String, Double> candidateMetrics) {
    registry.version(model, version);
    if (expectedChampion.equals(Optional.of(version))) {
      throw new IllegalArgumentException("version " + version + " of model '" + model
          + "' cannot be promoted over itself");
    }
    Optional<String> current = registry.requireModel(model).alias(CHAMPION);
    Map<String, Double> before = championMetrics != null ? championMetrics
        : runMetrics(model, current);
    Map<String, Double> after = candidateMetrics != null ? candidateMetrics
        : runMetrics(model, Optional.of(version));
    if (!current.equals(expectedChampion)) {
      String why = CONFLICT_PREFIX + " the decision assumed champion " + describe(expectedChampion)
          + " but the champion is now " + describe(current) + "; nothing was moved, decide again";
      audit.append(entry(AuditAction.REJECTED, model, version, current, current, actor, before,
          after, why));
      registry.setVersionTags(model, version, decisionTags("rejected", why, actor));
      throw new PromotionConflictException("cannot "
          + (action == AuditAction.APPROVED ? "approve" : "promote") + " version " + version + " of model '" + model + "': " + why);
    }
    lease.ensureHeld(leasePolicy.settle());
    current.ifPresent(old -> registry.setAlias(model, PREVIOUS, old));
    registry.setAlias(model, CHAMPION, version);
    PausePoint.reach(PAUSE_CHAMPION_MOVED);
    verify(model, version, current);
    return recordPromotion(model, version, current, action, reason, actor, before, after);
  }

  /** Everything after the aliases, in the order {@link #completeInterrupted} relies on: the version's tags last. */
  private AuditEntry recordPromotion(String model, String version, Optional<String> old, AuditAction action,
      String reason, String actor, Map<String, Double> before, Map<String, Double> after) {
    old.ifPresent(o -> registry.setVersionTags(model, o, decisionTags("superseded",
        "superseded by version " + version + ": " + reason, actor)));
    registry.transitionStage(model, version, ModelRegistry.Stage.PRODUCTION);
    old.ifPresent(o -> registry.transitionStage(model, o, ModelRegistry.Stage.ARCHIVED));
    AuditEntry entry = audit.append(entry(action, model, version, old, Optional.of(version), actor, before,
        after, reason));
    registry.setVersionTags(model, version, decisionTags(action.jsonName(), reason, actor));
    return entry;
  }

  /**
   * Whether the version carries a complete decision that stands: its decision tag, written last, is
   * set, and it is not a conflict (which asks to decide again).
   */
  public static boolean decided(ModelVersion version) {
    Optional<String> decision = version.tag(DECISION_TAG);
    return decision.isPresent() && !(decision.get().equals("rejected")
        && version.tag(REASON_TAG).orElse("").startsWith(CONFLICT_PREFIX));
  }

  /**
   * Finishes a decision about {@code version} that a process killed part-way left without its
   * version tags, and returns its audit line; empty when no decision had been made. If the champion
   * alias points at the version, the promotion happened (the alias is its commit point) and the rest
   * is recorded: the old champion (alias {@value #PREVIOUS}) superseded, the stages, the audit line
   * unless it was written, the tags. If the audit log already holds the decision, its tags are set.
   */
  public Optional<AuditEntry> completeInterrupted(String model, String version, String actor) {
    return exclusively(model, lease -> {
      RegisteredModel current = registry.requireModel(model);
      Optional<AuditEntry> recorded = audit.entries(model).stream()
          .filter(e -> version.equals(e.version()) && DECISIONS.containsKey(e.action()))
          .reduce((first, second) -> second);
      if (current.alias(CHAMPION).equals(Optional.of(version))) {
        if (recorded.filter(e -> e.action() == AuditAction.PROMOTED).isPresent()) {
          registry.setVersionTags(model, version, decisionTags("promoted", recorded.get().reason(), actor));
          return recorded;
        }
        Optional<String> old = current.alias(PREVIOUS).filter(p -> !p.equals(version));
        lease.ensureHeld(leasePolicy.settle());
        return Optional.of(recordPromotion(model, version, old, AuditAction.PROMOTED,
            "promoted by a decider that died before recording it: the champion alias had already moved"
                + " to this version", actor, runMetrics(model, old), runMetrics(model, Optional.of(version))));
      }
      if (recorded.isPresent()) {
        AuditEntry e = recorded.get();
        Map<String, String> tags = e.action() == AuditAction.PENDING
            ? pendingTags(e.reason(), e.actor(), e.championBeforeVersion())
            : decisionTags(DECISIONS.get(e.action()), e.reason(), e.actor());
        registry.setVersionTags(model, version, tags);
      }
      return recorded;
    });
  }

  /** Reads the aliases back: a writer outside the lease may have moved them meanwhile. */
  private void verify(String model, String champion, Optional<String> previous) {
    RegisteredModel after = registry.requireModel(model);
    boolean championOk = after.alias(CHAMPION).equals(Optional.of(champion));
    boolean previousOk = previous.isEmpty() || after.alias(PREVIOUS).equals(previous);
    if (!championOk || !previousOk) {
      throw new PromotionConflictException("aliases of model '" + model + "' changed while they"
          + " were being set: expected " + CHAMPION + "=" + champion
          + previous.map(p -> ", " + PREVIOUS + "=" + p).orElse("") + " but found "
          + after.aliases() + "; something outside the promotion lease moved them");
    }
  }

  private <T> T exclusively(String model, Function<PromotionLease, T> action) {
    registry.ensureRegisteredModel(model);
    ReentrantLock lock = LOCKS.computeIfAbsent(registry.tracking().trackingUri() + " " + model,
        key -> new ReentrantLock());
    lock.lock();
    try {
      PromotionLease lease = PromotionLease.acquire(registry, model, leasePolicy, clock);
      try {
        return action.apply(lease);
      } finally {
        lease.release();
      }
    } finally {
      lock.unlock();
    }
  }

  private Map<String, String> pendingTags(String reason, String actor, Optional<String> expectedChampion) {
    Map<String, String> tags = decisionTags("pending", reason, actor);
    tags.put(APPROVAL_TAG, "pending");
    tags.put(EXPECTED_CHAMPION_TAG, expectedChampion.orElse(NO_CHAMPION));
    return tags;
  }

  private Map<String, String> decisionTags(String decision, String reason, String actor) {
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put(DECISION_TAG, decision);
    tags.put(REASON_TAG, truncate(reason));
    tags.put(DECIDED_AT_TAG, clock.instant().toString());
    tags.put(ACTOR_TAG, actor);
    return tags;
  }

  private AuditEntry entry(AuditAction action, String model, String version,
      Optional<String> championBefore, Optional<String> championAfter, String actor,
      Map<String, Double> before, Map<String, Double> after, String reason) {
    return new AuditEntry(clock.instant(), actor, action, model, version,
        championBefore.orElse(null), championAfter.orElse(null), before, after, reason);
  }

  /** The test metrics of a version's run; empty when there is no version or its run is gone. */
  private Map<String, Double> runMetrics(String model, Optional<String> version) {
    if (version.isEmpty()) {
      return Map.of();
    }
    try {
      String runId = registry.version(model, version.get()).runId();
      Map<String, Double> metrics = new LinkedHashMap<>();
      registry.tracking().runInfo(runId).metrics().forEach((key, value) -> {
        if (key.startsWith(TEST_METRIC_PREFIX)) {
          metrics.put(key, value);
        }
      });
      return metrics;
    } catch (TrackingException | IllegalArgumentException e) {
      // The audit line is still worth writing without metrics; the run may have been deleted.
      return Map.of();
    }
  }

  private static String describe(Optional<String> version) {
    return version.map(v -> "version " + v).orElse("(none)");
  }

  /** Older MLflow servers cap model-version tag values at 5000 characters. */
  private static String truncate(String s) {
    return s.length() <= 5000 ? s : s.substring(0, 4999) + "…";
  }
}

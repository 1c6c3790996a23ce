package org.healthpredict.core.registry;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.healthpredict.core.tracking.TrackedRun;
import org.healthpredict.core.tracking.Tracking;

/** Runs with (or without) a model artifact on an MLflow test server, and fresh names. */
final class RegistryFixture {

  static final String TEST_SET = "test-set-digest-1";

  final Tracking tracking;
  final ModelRegistry registry;
  final AuditLog audit;

  RegistryFixture(Tracking tracking) {
    this.tracking = tracking;
    registry = new ModelRegistry(tracking);
    audit = new AuditLog(tracking);
  }

  /**
   * A short lease so tests stay fast; the settle leaves a loaded 2-core machine time to read and
   * write the tag, and the wait outlasts one TTL in case a write was still too slow.
   */
  static LeasePolicy quickLease(String owner) {
    return new LeasePolicy(owner, Duration.ofSeconds(5), Duration.ofMillis(300),
        Duration.ofSeconds(30));
  }

  Promotion promotion(String owner) {
    return new Promotion(registry, audit, quickLease(owner), Clock.systemUTC());
  }

  static String uniqueModel(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** A finished run with a dummy {@code model/} artifact and the given test metrics. */
  String runWithModel(Map<String, Double> testMetrics) {
    try (TrackedRun run = tracking.experiment("registry-tests").startRun("candidate")) {
      run.logText("flavors: {}\n", "model/MLmodel");
      run.logText("not a real model; the registry never reads it\n", "model/data/weights.txt");
      if (!testMetrics.isEmpty()) {
        run.logMetrics(testMetrics, 0);
      }
      run.finish();
      return run.runId();
    }
  }

  String runWithModel() {
    return runWithModel(Map.of());
  }

  /** A registered version whose run logged {@code test_pr_auc}. */
  ModelVersion version(String model, double prAuc) {
    return registry.createVersion(model, runWithModel(Map.of("test_pr_auc", prAuc)));
  }

  static Evaluation evaluation(double prAuc) {
    return new Evaluation(TEST_SET, Map.of("test_pr_auc", prAuc, "test_roc_auc", 0.70));
  }
}

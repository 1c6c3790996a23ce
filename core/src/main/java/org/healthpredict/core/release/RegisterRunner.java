package org.healthpredict.core.release;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.healthpredict.core.data.RawSchema;
import org.healthpredict.core.evaluation.BinaryEvaluation;
import org.healthpredict.core.evaluation.BinaryMetrics;
import org.healthpredict.core.evaluation.DegenerateCheck;
import org.healthpredict.core.evaluation.SubgroupEvaluation;
import org.healthpredict.core.model.MlflowModel;
import org.healthpredict.core.model.ModelInput;
import org.healthpredict.core.registry.AuditEntry;
import org.healthpredict.core.registry.AuditLog;
import org.healthpredict.core.registry.Evaluation;
import org.healthpredict.core.registry.GateDecision;
import org.healthpredict.core.registry.ModelRegistry;
import org.healthpredict.core.registry.ModelVersion;
import org.healthpredict.core.registry.Promotion;
import org.healthpredict.core.registry.PromotionGate;
import org.healthpredict.core.registry.RegistryException;
import org.healthpredict.core.split.SplitManifest;
import org.healthpredict.core.split.SplitRunner;
import org.healthpredict.core.testhook.PausePoint;
import org.healthpredict.core.tracking.StoredRun;
import org.healthpredict.core.tracking.TrackedRun;
import org.healthpredict.core.tracking.Tracking;

/**
 * The register job's work: evaluate a run's model on the held-out test split (overall, per subgroup,
 * calibration), write its model card, register it as a new version, and let the gate decide, on the
 * same test rows, whether it replaces the current champion.
 *
 * <p>One version per run and model: registering a run again (a retried task, a rerun after a crash)
 * finds the version made from it. If that version's decision is complete, it is reported again and
 * nothing moves; if a killed register left it part-decided, the decision is finished
 * ({@link Promotion#completeInterrupted}); if it was never decided, it is decided now, on that version.
 */
public final class RegisterRunner {

  private final SparkSession spark;
  private final Consumer<String> progress;

  public RegisterRunner(SparkSession spark, Consumer<String> progress) {
    this.spark = spark;
    this.progress = progress;
  }

  /**
   * What register decides.
   *
   * @param baseline the untuned model the candidate must beat, fitted here on the run's train and
   *     validation rows
   * @param chanceFloors whether the gate also requires test ROC-AUC clearly above chance and PR-AUC
   *     above the test rows' positive rate
   */
  public record Options(String modelName, PromotionGate gate, boolean requireApproval, String actor,
      UntunedBaseline baseline, boolean chanceFloors) {

    /** The gate as configured, without a baseline or chance floors. */
    public Options(String modelName, PromotionGate gate, boolean requireApproval, String actor) {
      this(modelName, gate, requireApproval, actor, UntunedBaseline.NONE, false);
    }
  }

  /**
   * The registered version and its decision.
   *
   * @param verdict PROMOTED, REJECTED or PENDING_APPROVAL
   * @param champion the champion when register ended, null if none
   * @param again whether the version was decided by an earlier register of the same run
   */
  public record Outcome(ModelVersion version, String verdict, String reason, String champion, double testRocAuc,
      double testPrAuc, boolean again) {}

  /** Pause point (see {@link PausePoint}): the version exists, nothing is decided or logged yet. */
  public static final String PAUSE_VERSION_CREATED = "register:version-created";

  public Outcome run(String runId, Options options, Tracking tracking) {
    ModelRegistry registry = new ModelRegistry(tracking);
    Promotion promotion = new Promotion(registry, new AuditLog(tracking));
    // Looked up without creating the registered model: a run refused below must leave no trace.
    Optional<ModelVersion> earlier = registry.registeredModel(options.modelName()).isEmpty() ? Optional.empty()
        : registry.versionsOfRun(options.modelName(), runId).stream().findFirst();
    if (earlier.isPresent()) {
      ModelVersion v = earlier.get();
      if (Promotion.decided(v)) {
        progress.accept("run " + runId + " was registered and decided before as version " + v.version()
            + "; nothing is changed");
        return settled(registry, tracking, v);
      }
      if (promotion.completeInterrupted(options.modelName(), v.version(), options.actor()).isPresent()) {
        progress.accept("version " + v.version() + " of run " + runId + " was decided by a register that died before"
            + " recording all of it; the decision is now complete");
        return settled(registry, tracking, registry.version(options.modelName(), v.version()));
      }
      progress.accept("run " + runId + " is version " + v.version() + " already, registered by a register that"
          + " stopped before deciding; deciding it now");
    }
    StoredRun run = tracking.runInfo(runId);
    String dataUri = run.params().get("data");
    if (dataUri == null) {
      throw new IllegalArgumentException("run " + runId + " has no 'data' parameter: register a run made by "
          + "`train` or `tune`, which record the split they used");
    }
    ModelLoader loader = new ModelLoader(tracking);
    // Load before registering anything: a run without a usable model changes nothing in the registry.
    MlflowModel candidate = loadCandidate(loader, runId);
    Dataset<Row> test = spark.read().parquet(dataUri + "/" + SplitRunner.PART_PATHS.get("test"));
    requireSignatureColumns(test, runId);
    SplitManifest manifest = SplitManifest.read(spark.sparkContext().hadoopConfiguration(), dataUri);
    String testSet = manifest.input().sha256().substring(0, 16) + ":" + SplitRunner.PART_PATHS.get("test")
        + ":seed=" + manifest.options().seed();

    Dataset<Row> scored = candidate.pipeline().transform(test).cache();
    BinaryMetrics metrics = BinaryEvaluation.evaluate(scored, RawSchema.TARGET, "probability");
    progress.accept(String.format("candidate run %s on the test split: roc_auc %.4f pr_auc %.4f (%d rows)", runId,
        metrics.rocAuc(), metrics.prAuc(), metrics.rows()));

    registry.ensureRegisteredModel(options.modelName());
    Optional<ModelVersion> champion = registry.versionByAlias(options.modelName(), Promotion.CHAMPION);
    Optional<BinaryMetrics> championMetrics = champion.map(v -> {
      MlflowModel m = loader.fromVersion(v).model();
      BinaryMetrics cm = BinaryEvaluation.evaluate(m.pipeline().transform(test), RawSchema.TARGET, "probability");
      progress.accept(String.format("champion version %s on the same rows: roc_auc %.4f pr_auc %.4f", v.version(),
          cm.rocAuc(), cm.prAuc()));
      return cm;
    });

    PromotionGate gate = options.gate();
    if (options.chanceFloors()) {
      gate = gate.withFloor("test_roc_auc", DegenerateCheck.chanceBar(metrics.positives(), metrics.rows() - metrics.positives()))
          .withFloor("test_pr_auc", (double) metrics.positives() / metrics.rows());
      progress.accept("chance floors on these rows: " + gate.floors());
    }
    Optional<PromotionGate.Baseline> baseline = options.baseline().evaluate(spark, dataUri, test, testSet, progress);

    ModelVersion version;
    if (earlier.isPresent()) {
      version = earlier.get();
    } else {
      version = registry.createVersion(options.modelName(), runId);
      progress.accept("registered " + options.modelName() + " version " + version.version());
      PausePoint.reach(PAUSE_VERSION_CREATED);
    }
    GateDecision decision = gate.decide(new Evaluation(testSet, metrics.asMap("test_")),
        championMetrics.map(cm -> new Evaluation(testSet, cm.asMap("test_"))), baseline);
    Optional<String> expected = champion.map(ModelVersion::version);

    logEvaluation(tracking, runId, scored, metrics, championMetrics.orElse(null), candidate, version, decision,
        dataUri, manifest, baseline);
    scored.unpersist();

    AuditEntry audit;
    String verdict;
    if (decision.promotes() && options.requireApproval()) {
      audit = promotion.markPending(options.modelName(), version.version(), expected,
          "gate passed (" + decision.reason() + "); waiting for approval", options.actor());
      verdict = PENDING_APPROVAL;
    } else {
      audit = promotion.decide(options.modelName(), version.version(), expected, decision, options.actor());
      verdict = decision.promotes() ? PROMOTED : REJECTED;
    }
    return new Outcome(version, verdict, decision.reason(), audit.championAfter(), metrics.rocAuc(), metrics.prAuc(),
        false);
  }

  private static final String PROMOTED = "PROMOTED";
  private static final String REJECTED = "REJECTED";
  private static final String PENDING_APPROVAL = "PENDING_APPROVAL";

  /** A decided version as an earlier register left it: verdict and reason from its tags, metrics from its run. */
  private static Outcome settled(ModelRegistry registry, Tracking tracking, ModelVersion v) {
    String decision = v.tag(Promotion.DECISION_TAG).orElse("");
    // Later decisions (superseded, rolled back, restored, approved) replace the tag of a version once promoted.
    String verdict = switch (decision) {
      case "rejected" -> REJECTED;
      case "pending" -> PENDING_APPROVAL;
      default -> PROMOTED;
    };
    Map<String, Double> metrics = tracking.runInfo(v.runId()).metrics();
    String champion = registry.registeredModel(v.name()).flatMap(m -> m.alias(Promotion.CHAMPION)).orElse(null);
    return new Outcome(v, verdict, v.tag(Promotion.REASON_TAG).orElse(""), champion,
        metrics.getOrDefault("test_roc_auc", Double.NaN), metrics.getOrDefault("test_pr_auc", Double.NaN), true);
  }

  private static MlflowModel loadCandidate(ModelLoader loader, String runId) {
    try {
      return loader.load("runs:/" + runId + "/" + ModelRegistry.MODEL_ARTIFACT).model();
    } catch (RuntimeException e) {
      throw new RegistryException("run " + runId + " has no usable model under '" + ModelRegistry.MODEL_ARTIFACT
          + "/': " + e.getMessage() + "; nothing was registered", e);
    }
  }

  private static void requireSignatureColumns(Dataset<Row> test, String runId) {
    List<String> missing = new ArrayList<>(ModelInput.columns());
    missing.removeAll(List.of(test.columns()));
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException("the test data of run " + runId + " lacks the model's input columns "
          + missing + "; nothing was registered");
    }
  }

  /** Test metrics, subgroup metrics and the model card, logged on the candidate's run. */
  private void logEvaluation(Tracking tracking, String runId, Dataset<Row> scored, BinaryMetrics metrics,
      BinaryMetrics champion, MlflowModel candidate, ModelVersion version, GateDecision decision, String dataUri,
      SplitManifest manifest, Optional<PromotionGate.Baseline> baseline) {
    List<SubgroupEvaluation.Subgroup> subgroups = SubgroupEvaluation.bySubgroup(scored, RawSchema.TARGET, "probability");
    List<SubgroupEvaluation.CalibrationBin> calibration =
        SubgroupEvaluation.calibration(scored, RawSchema.TARGET, "probability", 10);
    String card = ModelCard.render(new ModelCard.Content(version.name(), version.version(), runId,
        candidate.metadata().map(m -> m.modelFamily().name().toLowerCase()).orElse("unknown"), dataUri,
        manifest.input().sha256(), candidate.metadata().map(m -> m.decisionThreshold()).orElse(0.5), metrics,
        champion, subgroups, calibration, decision.verdict() + ": " + decision.reason()));
    try (TrackedRun run = tracking.reopenRun(runId)) {
      run.logMetrics(metrics.asMap("test_"), 0);
      baseline.ifPresent(b -> b.evaluation().metrics().forEach((k, v) -> {
        if (Double.isFinite(v)) {
          run.logMetric("baseline_" + k, v);
        }
      }));
      for (SubgroupEvaluation.Subgroup s : subgroups) {
        if (s.metrics() != null) {
          String key = "test_" + s.column() + "_" + s.value().replaceAll("[^A-Za-z0-9_.-]", "_");
          run.logMetrics(Map.of(key + "_roc_auc", s.metrics().rocAuc(), key + "_pr_auc", s.metrics().prAuc()), 0);
        }
      }
      run.logText(card, "model_card.md");
      run.finish();
    }
    progress.accept("model card and subgroup metrics logged on run " + runId + " (model_card.md)");
  }
}

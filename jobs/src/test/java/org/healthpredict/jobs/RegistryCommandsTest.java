package org.healthpredict.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.healthpredict.core.registry.AuditAction;
import org.healthpredict.core.registry.AuditEntry;
import org.healthpredict.core.registry.AuditLog;
import org.healthpredict.core.testing.MlflowServer;
import org.healthpredict.core.testing.SampleSplit;
import org.healthpredict.core.testing.TestSpark;
import org.healthpredict.core.tracking.TrackedRun;
import org.healthpredict.core.tracking.Tracking;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * register → promote / reject → rollback → approval → batch scoring, against a real MLflow server,
 * in one story (each step depends on the registry state the previous one left).
 */
class RegistryCommandsTest {

  private static final SparkSession spark = TestSpark.session();
  private static final String MODEL = "HealthPredictRegistryTest";
  private static final Pattern RUN = Pattern.compile("train: OK run=([0-9a-f]{32}) ");
  /** The lifecycle below is about aliases and audit: the champion comparison alone decides there. */
  private static final String[] MECHANICS_ONLY = {"--baseline", "none", "--no-chance-floors"};
  @TempDir static Path tmp;
  private static String split;
  private static MlflowServer mlflow;

  @BeforeAll
  static void splitSampleAndStartMlflow() {
    mlflow = MlflowServer.shared();
    split = SampleSplit.uri();
  }

  @Test
  void theDefaultGateRefusesAConstantModelNamingTheFloorAndScoresTheBaseline() {
    String constant = train("lr", "regParam=1000", "elasticNetParam=1");
    SplitCommandTest.Captured refused = cli("register", "--run", constant, "--name", MODEL + "-gate");
    assertThat(refused.out()).as(refused.err()).contains("version=1 decision=REJECTED champion=none")
        .contains("chance floors on these rows: {test_pr_auc=").containsPattern("test_(roc|pr)_auc 0\\.\\d+ is below the floor")
        .containsPattern("untuned baseline \\(logistic regression with default parameters, fitted on train \\+ "
            + "validation\\) on the same test rows: roc_auc 0\\.\\d{4} pr_auc 0\\.\\d{4}");
    assertThat(aliases(MODEL + "-gate")).doesNotContainKey("champion");
  }

  @Test
  void championLifecycleFromRegistrationToBatchScoring() {
    // L1 this strong zeroes every coefficient: one probability for everyone (PR-AUC = base rate).
    // The same strength as L2 only shrinks them: the ranking survives (test PR-AUC 0.152 on the sample).
    String weak = train("lr", "regParam=1000", "elasticNetParam=1");
    String strong = train("lr", "regParam=1000", "elasticNetParam=0");
    // One version per run: the later, new decisions need runs of their own (the same models fitted again).
    String weakAgain = train("lr", "regParam=1000", "elasticNetParam=1");
    String strongAgain = train("lr", "regParam=1000", "elasticNetParam=0");

    SplitCommandTest.Captured first = cli("register", "--run", weak, "--name", MODEL, MECHANICS_ONLY[0], MECHANICS_ONLY[1], MECHANICS_ONLY[2]);
    assertThat(first.out()).as(first.err()).contains("version=1 decision=PROMOTED champion=1");
    assertThat(aliases()).containsEntry("champion", "1").doesNotContainKey("previous");

    SplitCommandTest.Captured better = cli("register", "--run", strong, "--name", MODEL, MECHANICS_ONLY[0], MECHANICS_ONLY[1], MECHANICS_ONLY[2]);
    assertThat(better.out()).as(better.err()).contains("version=2 decision=PROMOTED champion=2");
    assertThat(aliases()).containsEntry("champion", "2").containsEntry("previous", "1");

    // Registering a run again (a retried task) finds its version: its decision stands and nothing moves.
    SplitCommandTest.Captured repeated = cli("register", "--run", weak, "--name", MODEL, MECHANICS_ONLY[0], MECHANICS_ONLY[1], MECHANICS_ONLY[2]);
    assertThat(repeated.out()).as(repeated.err()).contains("version=1 decision=PROMOTED champion=2 ").contains("again=true");
    assertThat(aliases()).containsEntry("champion", "2").containsEntry("previous", "1");

    SplitCommandTest.Captured worse = cli("register", "--run", weakAgain, "--name", MODEL, MECHANICS_ONLY[0], MECHANICS_ONLY[1], MECHANICS_ONLY[2]);
    assertThat(worse.out()).as(worse.err()).contains("version=3 decision=REJECTED champion=2");
    assertThat(aliases()).containsEntry("champion", "2");
    Map<String, String> v3 = versionTags("3");
    assertThat(v3).containsEntry("health_predict.decision", "rejected");
    assertThat(v3.get("health_predict.reason")).contains("test_pr_auc");

    SplitCommandTest.Captured rollback = cli("rollback", "--name", MODEL, "--reason", "test rollback");
    assertThat(rollback.out()).as(rollback.err()).contains("rollback: OK name=" + MODEL + " champion=1 previous=2");
    assertThat(aliases()).containsEntry("champion", "1").containsEntry("previous", "2");

    SplitCommandTest.Captured held = cli("register", "--run", strongAgain, "--name", MODEL, "--require-approval", MECHANICS_ONLY[0], MECHANICS_ONLY[1], MECHANICS_ONLY[2]);
    assertThat(held.out()).as(held.err()).contains("version=4 decision=PENDING_APPROVAL");
    assertThat(aliases()).containsEntry("champion", "1");
    SplitCommandTest.Captured notPending = cli("approve", "--name", MODEL, "--version", "3");
    assertThat(notPending.exit()).isEqualTo(HealthPredictCli.EXIT_FAILED);
    assertThat(notPending.err()).contains("not pending approval");
    SplitCommandTest.Captured approved = cli("approve", "--name", MODEL, "--version", "4", "--actor", "dr-review");
    assertThat(approved.out()).as(approved.err()).contains("champion=4 previous=1 actor=dr-review");
    assertThat(aliases()).containsEntry("champion", "4").containsEntry("previous", "1");

    List<AuditAction> actions;
    try (Tracking t = Tracking.connect(mlflow.trackingUri())) {
      List<AuditEntry> entries = new AuditLog(t).entries(MODEL);
      actions = entries.stream().map(AuditEntry::action).toList();
      assertThat(entries.get(2).reason()).contains("test_pr_auc");
      assertThat(entries.get(5).actor()).isEqualTo("dr-review");
    }
    assertThat(actions).containsExactly(AuditAction.PROMOTED, AuditAction.PROMOTED, AuditAction.REJECTED,
        AuditAction.ROLLED_BACK, AuditAction.PENDING, AuditAction.APPROVED);

    String out = tmp.resolve("scores").toUri().toString();
    SplitCommandTest.Captured scored = cli("score", "--model", "models:/" + MODEL + "@champion",
        "--input", split + "/future", "--output", out);
    assertThat(scored.out()).as(scored.err()).contains("version=4").contains("rows=3926");
    List<Row> predictions = spark.read().parquet(out).collectAsList();
    assertThat(predictions).hasSize(3926);
    assertThat(predictions).allSatisfy(r -> {
      assertThat(r.<Double>getAs("readmission_probability")).isBetween(0.0, 1.0);
      assertThat(r.<String>getAs("model_version")).isEqualTo("4");
    });
    assertThat(spark.read().parquet(out).select("encounter_id").distinct().count()).isEqualTo(3926);
  }

  @Test
  void aRunWithoutAModelIsRefusedAndNothingIsRegistered() {
    String runId;
    try (Tracking t = Tracking.connect(mlflow.trackingUri());
         TrackedRun run = t.experiment("registry-test").startRun("no-model")) {
      run.logParam("data", split);
      run.finish();
      runId = run.runId();
    }
    SplitCommandTest.Captured refused = cli("register", "--run", runId, "--name", MODEL + "-empty");
    assertThat(refused.exit()).isNotZero();
    assertThat(refused.err()).contains(runId).contains("nothing was registered");
    JsonNode search = mlflow.get("/api/2.0/mlflow/model-versions/search", "filter", "name='" + MODEL + "-empty'");
    assertThat(search.path("model_versions")).isEmpty();
  }

  @Test
  void testDataMissingTheModelsInputColumnsIsRefusedAndNothingIsRegistered() throws Exception {
    // A split whose test part lost a column the model takes (e.g. an upstream schema change).
    Path broken = tmp.resolve("split-without-diag_1");
    String brokenUri = broken.toUri().toString();
    for (String part : List.of("initial/train", "initial/validation")) {
      spark.read().parquet(split + "/" + part).write().parquet(brokenUri + "/" + part);
    }
    spark.read().parquet(split + "/initial/test").drop("diag_1").write().parquet(brokenUri + "/initial/test");
    java.nio.file.Files.copy(Path.of(java.net.URI.create(split)).resolve("manifest.json"), broken.resolve("manifest.json"));
    String runId;
    SplitCommandTest.Captured trained = cli("train", "--data", brokenUri, "--model", "lr", "--experiment", "registry-test");
    Matcher m = RUN.matcher(trained.out());
    assertThat(m.find()).as(trained.out() + trained.err()).isTrue();
    runId = m.group(1);

    SplitCommandTest.Captured refused = cli("register", "--run", runId, "--name", MODEL + "-schema");
    assertThat(refused.exit()).isEqualTo(HealthPredictCli.EXIT_INVALID_INPUT);
    assertThat(refused.err()).contains("lacks the model's input columns [diag_1]").contains("nothing was registered");
    JsonNode search = mlflow.get("/api/2.0/mlflow/model-versions/search", "filter", "name='" + MODEL + "-schema'");
    assertThat(search.path("model_versions")).isEmpty();
  }

  private static String train(String family, String... params) {
    List<String> args = new java.util.ArrayList<>(List.of("train", "--data", split, "--model", family,
        "--experiment", "registry-test"));
    for (String p : params) {
      args.add("-p");
      args.add(p);
    }
    SplitCommandTest.Captured run = cli(args.toArray(String[]::new));
    Matcher m = RUN.matcher(run.out());
    assertThat(m.find()).as(run.out() + run.err()).isTrue();
    return m.group(1);
  }

  private static SplitCommandTest.Captured cli(String... args) {
    String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(args),
        java.util.stream.Stream.of("--tracking-uri", mlflow.trackingUri())).toArray(String[]::new);
    return SplitCommandTest.capture(() -> HealthPredictCli.execute(all));
  }

  private static Map<String, String> aliases() {
    return aliases(MODEL);
  }

  private static Map<String, String> aliases(String model) {
    Map<String, String> out = new HashMap<>();
    mlflow.get("/api/2.0/mlflow/registered-models/get", "name", model).at("/registered_model/aliases")
        .forEach(a -> out.put(a.get("alias").asText(), a.get("version").asText()));
    return out;
  }

  private static Map<String, String> versionTags(String version) {
    Map<String, String> out = new HashMap<>();
    mlflow.get("/api/2.0/mlflow/model-versions/get", "name", MODEL, "version", version).at("/model_version/tags")
        .forEach(t -> out.put(t.get("key").asText(), t.get("value").asText()));
    return out;
  }
}

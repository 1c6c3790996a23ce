package org.healthpredict.core.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.healthpredict.core.testing.SharedMlflow;
import org.healthpredict.core.tracking.TrackedRun;
import org.healthpredict.core.tracking.Tracking;
import org.healthpredict.core.tracking.TrackingException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The model registry against a real MLflow server: versions from runs, aliases, tags, stages. */
@ExtendWith(SharedMlflow.class)
class RegistryTest {

  private static RegistryFixture fixture;
  private static ModelRegistry registry;

  @BeforeAll
  static void connect(Tracking tracking) {
    fixture = new RegistryFixture(tracking);
    registry = fixture.registry;
  }

  @Test
  void createsAReadyVersionFromTheModelArtifactOfARun() {
    String model = RegistryFixture.uniqueModel("create");
    String runId = fixture.runWithModel();

    ModelVersion first = registry.createVersion(model, runId);
    ModelVersion second = registry.createVersion(model, fixture.runWithModel());

    assertThat(first.version()).isEqualTo("1");
    assertThat(second.version()).isEqualTo("2");
    assertThat(first.status()).isEqualTo("READY");
    assertThat(first.runId()).isEqualTo(runId);
    assertThat(first.source())
        .isEqualTo(fixture.tracking.runInfo(runId).artifactUri() + "/model");
    assertThat(registry.version(model, "1").source()).isEqualTo(first.source());
  }

  @Test
  void refusesARunWithoutAModelArtifactAndCreatesNothing() {
    String model = RegistryFixture.uniqueModel("no-artifact");
    String runId;
    try (TrackedRun run = fixture.tracking.experiment("registry-tests").startRun("no-model")) {
      run.logText("{}", "reports/metrics.json");
      run.finish();
      runId = run.runId();
    }

    assertThatThrownBy(() -> registry.createVersion(model, runId))
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining(runId)
        .hasMessageContaining("no 'model/' artifact")
        .hasMessageContaining("nothing was registered");
    assertThat(registry.registeredModel(model)).isEmpty();
  }

  @Test
  void anUnknownRunIsRefusedNamingIt() {
    String model = RegistryFixture.uniqueModel("no-run");

    assertThatThrownBy(() -> registry.createVersion(model, "0123456789abcdef0123456789abcdef"))
        .isInstanceOf(TrackingException.class)
        .hasMessageContaining("0123456789abcdef0123456789abcdef");
    assertThat(registry.registeredModel(model)).isEmpty();
  }

  @Test
  void ensuringARegisteredModelTwiceKeepsTheFirst() {
    String model = RegistryFixture.uniqueModel("ensure");

    RegisteredModel first = registry.ensureRegisteredModel(model);
    RegisteredModel again = registry.ensureRegisteredModel(model);

    assertThat(again.name()).isEqualTo(first.name()).isEqualTo(model);
    assertThat(again.aliases()).isEmpty();
  }

  @Test
  void anAliasIsEmptyUntilSetAndThenFollowsTheVersion() {
    String model = RegistryFixture.uniqueModel("alias");
    registry.createVersion(model, fixture.runWithModel());
    registry.createVersion(model, fixture.runWithModel());

    assertThat(registry.versionByAlias(model, "champion")).isEmpty();
    registry.setAlias(model, "champion", "1");
    assertThat(registry.versionByAlias(model, "champion")).get()
        .extracting(ModelVersion::version).isEqualTo("1");
    registry.setAlias(model, "champion", "2");
    assertThat(registry.versionByAlias(model, "champion").orElseThrow().aliases())
        .containsExactly("champion");
    registry.deleteAlias(model, "champion");
    assertThat(registry.versionByAlias(model, "champion")).isEmpty();
  }

  @Test
  void anAliasOnAMissingVersionFailsNamingIt() {
    String model = RegistryFixture.uniqueModel("alias-missing");
    registry.ensureRegisteredModel(model);

    assertThatThrownBy(() -> registry.setAlias(model, "champion", "7"))
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining("version 7").hasMessageContaining(model);
    assertThatThrownBy(() -> registry.version(model, "7"))
        .hasMessageContaining("has no version 7");
  }

  @Test
  void versionTagsAreReadBackAndVersionsAreSearchedInOrder() {
    String model = RegistryFixture.uniqueModel("tags");
    for (int i = 0; i < 3; i++) {
      registry.createVersion(model, fixture.runWithModel());
    }

    registry.setVersionTags(model, "2", Map.of("health_predict.decision", "promoted",
        "health_predict.actor", "alice"));

    assertThat(registry.version(model, "2").tags())
        .containsEntry("health_predict.decision", "promoted")
        .containsEntry("health_predict.actor", "alice");
    assertThat(registry.versions(model)).extracting(ModelVersion::version)
        .containsExactly("1", "2", "3");
    String runOfTwo = registry.version(model, "2").runId();
    assertThat(registry.searchVersions("name = '" + model + "' and run_id = '" + runOfTwo + "'"))
        .extracting(ModelVersion::version).containsExactly("2");
  }

  @Test
  void movesAVersionToAStageWhileTheServerStillSupportsStages() {
    String model = RegistryFixture.uniqueModel("stage");
    registry.createVersion(model, fixture.runWithModel());

    boolean moved = registry.transitionStage(model, "1", ModelRegistry.Stage.PRODUCTION);

    // MLflow 3.17.2, the pinned server, still answers (a refusal is the next test).
    assertThat(moved).isTrue();
    assertThat(registry.version(model, "1").currentStage()).isEqualTo("Production");
  }

  @Test
  void aStageTransitionTheServerRefusesIsReportedNotThrown() {
    String model = RegistryFixture.uniqueModel("stage-refused");
    registry.ensureRegisteredModel(model);

    assertThat(registry.transitionStage(model, "42", ModelRegistry.Stage.ARCHIVED)).isFalse();
  }

  @Test
  void rejectsModelNamesThatWouldBreakFiltersOrPaths() {
    assertThatThrownBy(() -> registry.registeredModel("it's"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> registry.registeredModel("a/b"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}

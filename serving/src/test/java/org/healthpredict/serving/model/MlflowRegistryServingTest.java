package org.healthpredict.serving.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;
import org.apache.spark.ml.PipelineModel;
import org.healthpredict.core.data.RawSchema;
import org.healthpredict.core.registry.ModelRegistry;
import org.healthpredict.core.registry.ModelVersion;
import org.healthpredict.core.testing.MlflowServer;
import org.healthpredict.core.testing.SampleData;
import org.healthpredict.core.tracking.Tracking;
import org.healthpredict.serving.ServingModels;
import org.healthpredict.serving.input.RecordReader;
import org.healthpredict.serving.input.UnknownFields;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service's model source against a real MLflow server: an alias resolves to a registered
 * version, its model is downloaded and scored by the row path, and the poll swaps only when the
 * alias moves.
 */
class MlflowRegistryServingTest {

  private static Tracking tracking;
  private static ModelRegistry registry;
  private static MlflowModelSource source;

  @BeforeAll
  static void connect() {
    tracking = Tracking.connect(MlflowServer.shared().trackingUri());
    registry = new ModelRegistry(tracking);
    source = new MlflowModelSource(tracking, ScorerKind.ROW);
  }

  @AfterAll
  static void disconnect() {
    tracking.close();
  }

  private static ModelVersion register(String name, PipelineModel model, java.nio.file.Path tmp, String tag)
      throws Exception {
    return ServingModels.register(tracking, registry, name, model, tmp.resolve(tag), tag);
  }

  @Test
  void servesTheAliasedVersionAndSwapsOnlyWhenTheAliasMoves(@TempDir java.nio.file.Path tmp) throws Exception {
    String name = "serving-" + UUID.randomUUID().toString().substring(0, 8);
    ModelVersion v1 = register(name, ServingModels.lr(), tmp, "v1");
    registry.setAlias(name, "champion", v1.version());
    ModelSlots slots = new ModelSlots(source, "models:/" + name + "@champion", null);
    slots.reload();
    LoadedModel first = slots.current().orElseThrow().champion();
    assertThat(first.name()).isEqualTo(name);
    assertThat(first.version()).isEqualTo(v1.version());
    assertThat(first.runId()).isEqualTo(v1.runId());
    assertThat(first.family()).isEqualTo("lr");
    assertThat(first.metrics()).containsKey("val_pr_auc");
    assertThat(first.scorerDescription()).doesNotContain("transform");

    // The downloaded model scores a request as Spark scores the same encounter.
    byte[] body = ServingModels.record(0).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    double served = first.scorer().probability(new RecordReader(UnknownFields.REJECT, 1).readOne(body).typed());
    long encounter = ServingModels.record(0).get(RawSchema.ENCOUNTER_ID).asLong();
    double spark = ((org.apache.spark.ml.linalg.Vector) ServingModels.lr()
        .transform(SampleData.typed().where("encounter_id = " + encounter)).select("probability").first().get(0))
        .apply(1);
    assertThat(served).isCloseTo(spark, org.assertj.core.data.Offset.offset(1e-9));

    assertThat(slots.reloadIfChanged().swapped()).isFalse();
    ModelVersion v2 = register(name, ServingModels.gbt(), tmp, "v2");
    assertThat(slots.reloadIfChanged().swapped()).isFalse();
    registry.setAlias(name, "champion", v2.version());
    ModelSlots.ReloadResult moved = slots.reloadIfChanged();
    assertThat(moved.swapped()).isTrue();
    assertThat(moved.after().champion().version()).isEqualTo(v2.version());
    assertThat(moved.after().champion().family()).isEqualTo("gbt");
  }

  @Test
  void aMissingAliasFailsNamingItAndLeavesNothingLoaded() {
    ModelSlots slots = new ModelSlots(source, "models:/no-such-model-xyz@champion", null);
    assertThatThrownBy(slots::reload).hasMessageContaining("no-such-model-xyz");
    assertThat(slots.loaded()).isFalse();
  }
}

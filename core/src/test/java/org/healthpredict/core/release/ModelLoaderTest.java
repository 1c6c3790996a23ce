package org.healthpredict.core.release;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.ml.PipelineModel;
import org.healthpredict.core.features.FeaturePipeline;
import org.healthpredict.core.features.ModelFamily;
import org.healthpredict.core.model.MlflowModel;
import org.healthpredict.core.registry.ModelRegistry;
import org.healthpredict.core.registry.ModelVersion;
import org.healthpredict.core.testing.MlflowServer;
import org.healthpredict.core.testing.SampleData;
import org.healthpredict.core.tracking.TrackedRun;
import org.healthpredict.core.tracking.Tracking;
import org.healthpredict.core.training.Classifiers;
import org.healthpredict.core.training.ModelArtifacts;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A registered model behind MLflow's artifact proxy is downloaded to be read, and the download is
 * gone once {@link ModelLoader#load} returns: the model read by Spark's own loader still scores,
 * so nothing it holds reads the deleted files later.
 */
class ModelLoaderTest {

  @ParameterizedTest
  @EnumSource(value = ModelFamily.class, names = {"LR", "GBT"})
  void theDownloadedCopyIsDeletedAndTheModelStillScores(ModelFamily family) {
    PipelineModel fitted = FeaturePipeline.pipeline(family, Classifiers.create(family,
        family == ModelFamily.GBT ? Map.of("maxIter", "3", "maxDepth", "3") : Map.of("maxIter", "5"), 7))
        .fit(SampleData.typed());
    try (Tracking tracking = Tracking.connect(MlflowServer.shared().trackingUri())) {
      String runId;
      try (TrackedRun run = tracking.experiment("model-loader-tests").startRun(family.name())) {
        ModelArtifacts.log(run, fitted);
        run.finish();
        runId = run.runId();
      }
      String name = "loader-" + UUID.randomUUID().toString().substring(0, 8);
      ModelVersion v = new ModelRegistry(tracking).createVersion(name, runId);
      AtomicReference<String> readFrom = new AtomicReference<>();
      ModelLoader loader = new ModelLoader(tracking, dir -> {
        readFrom.set(dir);
        return MlflowModel.load(dir);
      });

      for (String uri : new String[] {"models:/" + name + "/" + v.version(), "runs:/" + runId + "/model"}) {
        ModelLoader.Loaded loaded = loader.load(uri);

        assertThat(readFrom.get()).as(uri).startsWith("file:");
        assertThat(Files.exists(Path.of(java.net.URI.create(readFrom.get())))).as(uri + " download left behind").isFalse();
        assertThat(loaded.model().pipeline().transform(SampleData.typed()).select("probability").collectAsList())
            .hasSize((int) SampleData.typed().count());
      }
    }
  }
}

package org.healthpredict.core.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** How artifact roots, artifact paths and dataset sources map to where bytes actually go. */
class TrackingArtifactLocationTest {

  @Test
  void proxiedRootsResolveToTheServersArtifactEndpoint() {
    assertThat(ProxiedArtifactStore.baseUrl("mlflow-artifacts:/1/abc/artifacts",
        "http://127.0.0.1:5000"))
        .isEqualTo("http://127.0.0.1:5000/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts");
    assertThat(ProxiedArtifactStore.baseUrl("mlflow-artifacts://other:8080/1/abc/artifacts/",
        "https://mlflow.example.org"))
        .isEqualTo("https://other:8080/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts");
    assertThat(ProxiedArtifactStore.baseUrl(
        "http://h/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts", "http://x"))
        .isEqualTo("http://h/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts");
  }

  @Test
  void s3RootsAreWrittenThroughS3aAndBarePathsAsLocalFiles() {
    assertThat(HadoopArtifactStore.hadoopUri("s3://bucket/mlflow/1/abc/artifacts"))
        .isEqualTo("s3a://bucket/mlflow/1/abc/artifacts");
    assertThat(HadoopArtifactStore.hadoopUri("s3a://bucket/x")).isEqualTo("s3a://bucket/x");
    assertThat(HadoopArtifactStore.hadoopUri("file:///tmp/a")).isEqualTo("file:///tmp/a");
    assertThat(HadoopArtifactStore.hadoopUri("/tmp/mlruns/1")).isEqualTo("file:///tmp/mlruns/1");
  }

  @Test
  void artifactPathsAreRelativeAndSlashSeparated() {
    assertThat(ArtifactPaths.directory(null)).isEmpty();
    assertThat(ArtifactPaths.directory("/model/")).isEqualTo("model");
    assertThat(ArtifactPaths.join("", "a.txt")).isEqualTo("a.txt");
    assertThat(ArtifactPaths.join("model", "a/b.txt")).isEqualTo("model/a/b.txt");
    assertThat(ArtifactPaths.relative(Path.of("/x"), Path.of("/x/a/b.bin"))).isEqualTo("a/b.bin");
    assertThatThrownBy(() -> ArtifactPaths.directory("a/../../b"))
        .hasMessageContaining("a/../../b");
    assertThatThrownBy(() -> ArtifactPaths.directory("a//b")).hasMessageContaining("a//b");
    assertThat(ProxiedArtifactStore.encodePath("notes/read me+.txt"))
        .isEqualTo("notes/read%20me%2B.txt");
  }

  @Test
  void datasetSourcesFollowMlflowsSourceTypes() {
    assertThat(DatasetInput.fromUri("d", "1", "file:///data/split", null, null, null))
        .extracting(DatasetInput::sourceType, DatasetInput::source)
        .containsExactly("local", "{\"uri\": \"file:///data/split\"}");
    assertThat(DatasetInput.fromUri("d", "1", "s3a://b/split", null, null, null).sourceType())
        .isEqualTo("s3");
    assertThat(DatasetInput.fromUri("d", "1", "https://h/x.csv", null, null, null))
        .extracting(DatasetInput::sourceType, DatasetInput::source)
        .containsExactly("http", "{\"url\": \"https://h/x.csv\"}");
  }

  @Test
  void aDatasetDigestLongerThanMlflowStoresIsRejectedWithAHint() {
    String sha256 = "a".repeat(64);
    assertThatThrownBy(() -> DatasetInput.fromUri("split", sha256, "file:///x", null, null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("64 characters")
        .hasMessageContaining("at most 36");
  }
}

package org.healthpredict.core.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.healthpredict.core.testing.MlflowServer;
import org.healthpredict.core.tracking.TrackedRun;
import org.healthpredict.core.tracking.Tracking;
import org.healthpredict.core.tracking.TrackingException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Downloads of proxied artifacts live exactly as long as the {@link ArtifactFetcher.Fetched} that holds them. */
class ArtifactFetcherTest {

  @Test
  void aDownloadIsDeletedOnCloseAndAFailedOneAtOnce(@TempDir Path root) throws Exception {
    try (Tracking tracking = Tracking.connect(MlflowServer.shared().trackingUri())) {
      String runId;
      try (TrackedRun run = tracking.experiment("artifact-fetcher-tests").startRun("files")) {
        run.logText("a", "model/MLmodel");
        run.logText("b", "model/data/part-0");
        run.finish();
        runId = run.runId();
      }
      ArtifactFetcher fetcher = new ArtifactFetcher(tracking, root);

      Path local;
      try (ArtifactFetcher.Fetched fetched = fetcher.fetch(runId, "model")) {
        local = fetched.download().orElseThrow();
        assertThat(fetched.uri()).isEqualTo(local.toUri().toString());
        assertThat(Files.readString(local.resolve("data/part-0"))).isEqualTo("b");
      }
      assertThat(local).doesNotExist();

      assertThatThrownBy(() -> fetcher.fetch(runId, "no-such-dir")).isInstanceOf(TrackingException.class)
          .hasMessageContaining("no-such-dir");
      try (var left = Files.list(root)) {
        assertThat(left).as("directories left in the download root").isEmpty();
      }
    }
  }
}

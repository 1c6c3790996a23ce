package org.healthpredict.core.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import org.healthpredict.core.testing.MlflowServer;
import org.healthpredict.core.testing.SharedMlflow;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Run artifacts, through the server's artifact proxy and written directly to the artifact root. */
@ExtendWith(SharedMlflow.class)
class TrackingArtifactsTest {

  private static MlflowServer server;
  private static Tracking tracking;

  @TempDir
  Path tmp;

  @BeforeAll
  static void connect(MlflowServer shared, Tracking connection) {
    server = shared;
    tracking = connection;
  }

  /** A model-like tree: nested directories, binary and text files, a name with a space. */
  private Map<String, byte[]> writeTree(Path dir) throws IOException {
    byte[] binary = new byte[300_000];
    new Random(42).nextBytes(binary);
    Map<String, byte[]> files = new TreeMap<>();
    files.put("MLmodel", "flavors:\n  spark: {}\n".getBytes(StandardCharsets.UTF_8));
    files.put("sparkml/metadata/part-00000", "{\"class\":\"PipelineModel\"}".getBytes(
        StandardCharsets.UTF_8));
    files.put("sparkml/stages/0_forest/data/part-00000.parquet", binary);
    files.put("notes/read me.txt", "spaces survive".getBytes(StandardCharsets.UTF_8));
    for (Map.Entry<String, byte[]> file : files.entrySet()) {
      Path path = dir.resolve(file.getKey());
      Files.createDirectories(path.getParent() == null ? dir : path.getParent());
      Files.write(path, file.getValue());
    }
    return files;
  }

  /** Every file below an artifact directory, as the server lists it (artifacts/list, recursively). */
  private static Map<String, Long> listRecursively(MlflowServer server, String runId, String dir) {
    Map<String, Long> files = new TreeMap<>();
    JsonNode listing = dir.isEmpty()
        ? server.get("/api/2.0/mlflow/artifacts/list", "run_id", runId)
        : server.get("/api/2.0/mlflow/artifacts/list", "run_id", runId, "path", dir);
    for (JsonNode file : listing.path("files")) {
      String path = file.path("path").asText();
      if (file.path("is_dir").asBoolean()) {
        files.putAll(listRecursively(server, runId, path));
      } else {
        files.put(path, file.path("file_size").asLong());
      }
    }
    return files;
  }

  private static byte[] download(String artifactUri, String artifactFile) {
    String root = artifactUri.substring("mlflow-artifacts:".length()).replaceAll("^/+", "");
    return server.getBytes("/api/2.0/mlflow-artifacts/artifacts/" + root + "/"
        + ProxiedArtifactStore.encodePath(artifactFile));
  }

  @Test
  void aDirectoryTreeUploadedThroughTheProxyIsListedAndDownloadsByteForByte() throws IOException {
    Path model = Files.createDirectories(tmp.resolve("model"));
    Map<String, byte[]> files = writeTree(model);
    String runId;
    String artifactUri;
    try (TrackedRun run = tracking.experiment("artifacts-" + UUID.randomUUID()).startRun("fit")) {
      runId = run.runId();
      artifactUri = run.artifactUri();
      run.logArtifacts(model, "model");
      run.finish();
    }

    assertThat(artifactUri).startsWith("mlflow-artifacts:/");
    Map<String, Long> listed = listRecursively(server, runId, "");
    Map<String, Long> expected = new TreeMap<>();
    files.forEach((path, bytes) -> expected.put("model/" + path, (long) bytes.length));
    assertThat(listed).isEqualTo(expected);
    for (Map.Entry<String, byte[]> file : files.entrySet()) {
      assertThat(download(artifactUri, "model/" + file.getKey()))
          .as(file.getKey()).isEqualTo(file.getValue());
    }
  }

  @Test
  void aSingleFileAndATextLandUnderTheirArtifactPaths() throws IOException {
    Path report = Files.writeString(tmp.resolve("drift.json"), "{\"status\": \"NO_DRIFT\"}");
    String runId;
    String artifactUri;
    try (TrackedRun run = tracking.experiment("artifacts-" + UUID.randomUUID()).startRun("drift")) {
      runId = run.runId();
      artifactUri = run.artifactUri();
      run.logArtifact(report, "reports/batch-1");
      run.logArtifact(report);
      run.logText("champion: 3\n", "registry/alias.txt");
      run.finish();
    }

    assertThat(listRecursively(server, runId, "")).containsOnlyKeys(
        "drift.json", "reports/batch-1/drift.json", "registry/alias.txt");
    assertThat(new String(download(artifactUri, "reports/batch-1/drift.json"),
        StandardCharsets.UTF_8)).isEqualTo("{\"status\": \"NO_DRIFT\"}");
    assertThat(new String(download(artifactUri, "registry/alias.txt"), StandardCharsets.UTF_8))
        .isEqualTo("champion: 3\n");
  }

  @Test
  void artifactPathsThatEscapeTheRunAreRejected() throws IOException {
    Path file = Files.writeString(tmp.resolve("x.txt"), "x");
    try (TrackedRun run = tracking.experiment("artifacts-" + UUID.randomUUID()).startRun("bad")) {
      assertThatThrownBy(() -> run.logArtifact(file, "../other-run"))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("../other-run");
      assertThatThrownBy(() -> run.logArtifacts(file, "x"))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a directory");
      run.finish();
    }
  }

  @Test
  void withoutAnArtifactProxyFilesAreWrittenStraightToTheFileArtifactRoot() throws IOException {
    Path root = Files.createDirectories(tmp.resolve("artifact-root"));
    Path model = Files.createDirectories(tmp.resolve("model"));
    Map<String, byte[]> files = writeTree(model);
    try (MlflowServer direct = MlflowServer.startWithoutArtifactProxy(root.toUri().toString());
        Tracking directTracking = Tracking.connect(direct.trackingUri())) {
      String runId;
      String artifactUri;
      try (TrackedRun run = directTracking.experiment("direct").startRun("fit")) {
        runId = run.runId();
        artifactUri = run.artifactUri();
        run.logArtifacts(model, "model");
        run.logText("ok", "status.txt");
        run.finish();
      }

      assertThat(artifactUri).startsWith("file:");
      Path runArtifacts = Path.of(java.net.URI.create(artifactUri));
      assertThat(runArtifacts).startsWith(root);
      for (Map.Entry<String, byte[]> file : files.entrySet()) {
        assertThat(runArtifacts.resolve("model/" + file.getKey())).as(file.getKey())
            .hasBinaryContent(file.getValue());
      }
      assertThat(runArtifacts.resolve("status.txt")).hasContent("ok");
      try (Stream<Path> written = Files.walk(runArtifacts)) {
        assertThat(written.map(Path::toString)).noneMatch(p -> p.endsWith(".crc"));
      }
      // MLflow itself sees them where it expects them.
      assertThat(listRecursively(direct, runId, "model")).hasSize(files.size());
      assertThat(LoggedRun.read(direct, runId).status()).isEqualTo("FINISHED");
      assertThat(direct.proxiedArtifactsDir()).isEqualTo(Optional.empty());
    }
  }
}

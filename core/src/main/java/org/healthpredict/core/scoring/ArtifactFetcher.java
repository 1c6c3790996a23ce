package org.healthpredict.core.scoring;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.healthpredict.core.tracking.Tracking;
import org.healthpredict.core.tracking.TrackingException;

/**
 * Makes a run's artifact directory readable by Spark. Artifacts behind the tracking server's proxy
 * ({@code mlflow-artifacts:/…}) are downloaded, file by file, into a local directory through the
 * tracking connection; artifacts in a file system Spark reads itself ({@code file:}, {@code s3a:},
 * {@code hdfs:}) are used where they are.
 */
public final class ArtifactFetcher {

  private final Tracking tracking;

  public ArtifactFetcher(Tracking tracking) {
    this.tracking = tracking;
  }

  /** A URI Spark can load the run's artifact directory {@code path} from. */
  public String readable(String runId, String path) {
    String root = tracking.runInfo(runId).artifactUri();
    if (!root.startsWith("mlflow-artifacts:") && !root.startsWith("http")) {
      String direct = root + "/" + path;
      return direct.startsWith("s3:") ? "s3a:" + direct.substring(3) : direct;
    }
    try {
      Path local = Files.createTempDirectory("health-predict-artifacts-");
      download(runId, path, local);
      return local.toUri().toString();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot download artifacts " + path + " of run " + runId, e);
    }
  }

  private void download(String runId, String path, Path into) throws IOException {
    JsonNode files = tracking.restGetJson("list the artifacts " + path + " of run " + runId,
        "artifacts/list", "run_id", runId, "path", path)
        .map(answer -> answer.path("files")).orElse(null);
    if (files == null || files.isEmpty()) {
      throw new TrackingException("run " + runId + " has no artifacts under '" + path + "' at the MLflow tracking server "
          + tracking.trackingUri());
    }
    Files.createDirectories(into);
    for (JsonNode f : files) {
      // Listed paths are relative to the run's artifact root, e.g. "model/sparkml".
      String child = f.path("path").asText();
      Path target = into.resolve(child.substring(child.lastIndexOf('/') + 1));
      if (f.path("is_dir").asBoolean(false)) {
        download(runId, child, target);
      } else {
        Files.write(target, tracking.readArtifact(runId, child).orElseThrow(() -> new TrackingException(
            "artifact " + child + " of run " + runId + " was listed but cannot be read")));
      }
    }
  }
}

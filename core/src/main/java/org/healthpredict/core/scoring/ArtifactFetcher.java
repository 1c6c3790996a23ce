package org.healthpredict.core.scoring;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;
import org.healthpredict.core.tracking.Tracking;
import org.healthpredict.core.tracking.TrackingException;

/**
 * Makes a run's artifact directory readable by Spark. Artifacts behind the tracking server's proxy
 * ({@code mlflow-artifacts:/…}) are downloaded, file by file, into a local temporary directory
 * through the tracking connection; artifacts in a file system Spark reads itself ({@code file:},
 * {@code s3a:}, {@code hdfs:}) are used where they are.
 */
public final class ArtifactFetcher {

  private final Tracking tracking;
  /** Where downloads go; null for the JVM's temporary directory. */
  private final Path downloadRoot;

  public ArtifactFetcher(Tracking tracking) {
    this(tracking, null);
  }

  /** Downloads into {@code downloadRoot} instead of the JVM's temporary directory. */
  ArtifactFetcher(Tracking tracking, Path downloadRoot) {
    this.tracking = tracking;
    this.downloadRoot = downloadRoot;
  }

  /**
   * A run's artifact directory where Spark can read it. Close it once what it holds has been read:
   * that deletes a download (a server that reloads its model would otherwise keep a copy of every
   * version it ever loaded in its temporary directory) and leaves artifacts read in place alone.
   *
   * @param uri the directory's URI for Spark
   * @param download the local copy made for it, if one was
   */
  public record Fetched(String uri, Optional<Path> download) implements AutoCloseable {
    @Override
    public void close() {
      download.ifPresent(ArtifactFetcher::deleteQuietly);
    }
  }

  /** Fetches the run's artifact directory {@code path}; see {@link Fetched}. */
  public Fetched fetch(String runId, String path) {
    String root = tracking.runInfo(runId).artifactUri();
    if (!root.startsWith("mlflow-artifacts:") && !root.startsWith("http")) {
      String direct = root + "/" + path;
      return new Fetched(direct.startsWith("s3:") ? "s3a:" + direct.substring(3) : direct, Optional.empty());
    }
    Path local;
    try {
      local = downloadRoot == null ? Files.createTempDirectory("health-predict-artifacts-")
          : Files.createTempDirectory(Files.createDirectories(downloadRoot), "health-predict-artifacts-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a directory to download artifacts " + path + " of run " + runId, e);
    }
    try {
      download(runId, path, local);
      return new Fetched(local.toUri().toString(), Optional.of(local));
    } catch (IOException e) {
      deleteQuietly(local);
      throw new UncheckedIOException("cannot download artifacts " + path + " of run " + runId, e);
    } catch (RuntimeException e) {
      // Also a registry that went away halfway: the part already downloaded is of no use to anyone.
      deleteQuietly(local);
      throw e;
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

  private static void deleteQuietly(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // Nothing more to do about a temporary file that cannot be deleted.
    }
  }
}

package org.healthpredict.core.scoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.healthpredict.core.tracking.TrackingException;

/**
 * Makes an MLflow artifact directory readable by Spark. Artifacts behind the tracking server's proxy
 * ({@code mlflow-artifacts:/…}) are downloaded, file by file, into a local directory; artifacts in a
 * file system Spark reads itself ({@code file:}, {@code s3a:}, {@code hdfs:}) are used where they are.
 */
public final class ArtifactFetcher {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String trackingUri;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(30)).build();

  public ArtifactFetcher(String trackingUri) {
    this.trackingUri = trackingUri.endsWith("/") ? trackingUri.substring(0, trackingUri.length() - 1) : trackingUri;
  }

  /** A URI Spark can load the directory from: the artifact URI itself, or a local copy of it. */
  public String readable(String artifactUri) {
    if (!artifactUri.startsWith("mlflow-artifacts:")) {
      return artifactUri.startsWith("s3:") ? "s3a:" + artifactUri.substring(3) : artifactUri;
    }
    String path = URI.create(artifactUri).getPath().replaceFirst("^/", "");
    try {
      Path local = Files.createTempDirectory("health-predict-artifacts-");
      download(path, local);
      return local.toUri().toString();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot download " + artifactUri, e);
    }
  }

  private void download(String path, Path into) throws IOException {
    JsonNode listing = JSON.readTree(get("/api/2.0/mlflow-artifacts/artifacts?path="
        + URLEncoder.encode(path, StandardCharsets.UTF_8)));
    JsonNode files = listing.path("files");
    if (files.isEmpty()) {
      throw new TrackingException("no artifacts under " + path + " at the MLflow tracking server " + trackingUri);
    }
    Files.createDirectories(into);
    for (JsonNode f : files) {
      String name = f.path("path").asText();
      String child = path + "/" + name;
      if (f.path("is_dir").asBoolean(false)) {
        download(child, into.resolve(name));
      } else {
        Files.write(into.resolve(name), get("/api/2.0/mlflow-artifacts/artifacts/" + encodePath(child)));
      }
    }
  }

  private byte[] get(String pathAndQuery) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(trackingUri + pathAndQuery)).GET().build();
    try {
      HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
      if (response.statusCode() != 200) {
        throw new TrackingException("GET " + request.uri() + " answered " + response.statusCode() + ": "
            + new String(response.body(), StandardCharsets.UTF_8));
      }
      return response.body();
    } catch (IOException e) {
      throw new TrackingException("cannot reach the MLflow tracking server " + trackingUri + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TrackingException("interrupted while downloading from " + trackingUri, e);
    }
  }

  private static String encodePath(String path) {
    StringBuilder out = new StringBuilder();
    for (String part : path.split("/")) {
      if (out.length() > 0) {
        out.append('/');
      }
      out.append(URLEncoder.encode(part, StandardCharsets.UTF_8).replace("+", "%20"));
    }
    return out.toString();
  }
}

package org.healthpredict.core.tracking;

import java.io.FileNotFoundException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Uploads and downloads artifacts through the tracking server's artifact proxy ({@code mlflow
 * server --serve-artifacts}): one HTTP PUT or GET per file to
 * {@code /api/2.0/mlflow-artifacts/artifacts/<path>}, which is what MLflow's own clients do for
 * {@code mlflow-artifacts:} and {@code http:} artifact URIs. Both are safe to repeat, so they are
 * retried through an outage like every other call.
 */
final class ProxiedArtifactStore implements ArtifactStore {

  private static final String PROXY_PATH = "/api/2.0/mlflow-artifacts/artifacts";

  private final String baseUrl;
  private final String artifactUri;
  private final MlflowHttp http;

  private ProxiedArtifactStore(String baseUrl, String artifactUri, MlflowHttp http) {
    this.baseUrl = baseUrl;
    this.artifactUri = artifactUri;
    this.http = http;
  }

  static ProxiedArtifactStore forArtifactUri(String artifactUri, MlflowHttp http) {
    return new ProxiedArtifactStore(baseUrl(artifactUri, http.trackingUri()), artifactUri, http);
  }

  /**
   * The HTTP URL of an artifact root. {@code mlflow-artifacts:/p} lives on the tracking server
   * itself; {@code mlflow-artifacts://host:port/p} on another server spoken to with the tracking
   * URI's scheme; an {@code http(s):} root is already the URL.
   */
  static String baseUrl(String artifactUri, String trackingUri) {
    URI uri = URI.create(artifactUri);
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    if (scheme.equals("http") || scheme.equals("https")) {
      return stripTrailingSlashes(artifactUri);
    }
    if (!scheme.equals("mlflow-artifacts")) {
      throw new IllegalArgumentException("not a proxied artifact URI: " + artifactUri);
    }
    String path = stripTrailingSlashes(uri.getRawPath() == null ? "" : uri.getRawPath());
    if (uri.getRawAuthority() == null) {
      return stripTrailingSlashes(trackingUri) + PROXY_PATH + path;
    }
    String trackingScheme = URI.create(trackingUri).getScheme();
    return trackingScheme + "://" + uri.getRawAuthority() + PROXY_PATH + path;
  }

  @Override
  public void upload(List<Upload> uploads) {
    for (Upload upload : uploads) {
      HttpRequest.BodyPublisher body;
      try {
        body = HttpRequest.BodyPublishers.ofFile(upload.localFile());
      } catch (FileNotFoundException e) {
        throw new TrackingException("cannot read " + upload.localFile() + " to log it as artifact "
            + upload.artifactFile() + " of " + artifactUri, e);
      }
      put(body, upload.artifactFile());
    }
  }

  @Override
  public void write(byte[] content, String artifactFile) {
    put(HttpRequest.BodyPublishers.ofByteArray(content), artifactFile);
  }

  @Override
  public Optional<byte[]> read(String artifactFile) {
    URI url = URI.create(baseUrl + "/" + encodePath(artifactFile));
    HttpResponse<byte[]> response = http.exchange("download artifact " + artifactFile + " of "
        + artifactUri, HttpRequest.newBuilder(url).GET(), MlflowHttp.Repeat.SAFE);
    if (response.statusCode() == 200) {
      return Optional.of(response.body());
    }
    String body = new String(response.body(), StandardCharsets.UTF_8);
    if (response.statusCode() == 404 && body.contains("RESOURCE_DOES_NOT_EXIST")) {
      return Optional.empty();
    }
    throw new TrackingException("the MLflow artifact proxy refused to send artifact "
        + artifactFile + " of " + artifactUri + ": GET " + url + " answered "
        + response.statusCode() + " " + MlflowHttp.abbreviate(body));
  }

  private void put(HttpRequest.BodyPublisher body, String artifactFile) {
    URI url = URI.create(baseUrl + "/" + encodePath(artifactFile));
    HttpRequest.Builder request = HttpRequest.newBuilder(url)
        .header("Content-Type", "application/octet-stream")
        .PUT(body);
    HttpResponse<byte[]> response = http.exchange("upload artifact " + artifactFile + " of "
        + artifactUri, request, MlflowHttp.Repeat.SAFE);
    if (response.statusCode() / 100 != 2) {
      throw new TrackingException("the MLflow artifact proxy refused artifact " + artifactFile
          + " of " + artifactUri + ": PUT " + url + " answered " + response.statusCode() + " "
          + MlflowHttp.abbreviate(new String(response.body(), StandardCharsets.UTF_8)));
    }
  }

  /** Percent-encodes each segment; URLEncoder alone would write spaces as '+'. */
  static String encodePath(String path) {
    StringBuilder encoded = new StringBuilder();
    for (String segment : path.split("/", -1)) {
      if (encoded.length() > 0) {
        encoded.append('/');
      }
      encoded.append(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
    }
    return encoded.toString();
  }

  private static String stripTrailingSlashes(String s) {
    return s.replaceAll("/+$", "");
  }
}

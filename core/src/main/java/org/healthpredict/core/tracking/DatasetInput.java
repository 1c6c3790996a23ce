package org.healthpredict.core.tracking;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;

/**
 * A data set a run consumed, in MLflow's dataset-input vocabulary (e.g. the split manifest as the
 * training input of a sweep), logged with {@link TrackedRun#logDatasetInput(DatasetInput)}.
 *
 * @param name the data set's name, e.g. {@code "initial/train"}
 * @param digest a short content hash; MLflow stores at most {@value #MAX_DIGEST_LENGTH} characters
 * @param sourceType MLflow's source type, e.g. {@code "local"}, {@code "s3"}, {@code "http"}
 * @param source the source as JSON, e.g. {@code {"uri": "s3a://bucket/split"}}
 * @param schema the schema as JSON, or null
 * @param profile summary statistics as JSON, or null
 * @param context what the run used it for (tag {@code mlflow.data.context}), e.g. "training"; or null
 */
public record DatasetInput(String name, String digest, String sourceType, String source,
    String schema, String profile, String context) {

  /** MLflow's column limit; a full SHA-256 hex digest (64) does not fit. */
  public static final int MAX_DIGEST_LENGTH = 36;

  public DatasetInput {
    requireText(name, "name");
    requireText(digest, "digest");
    requireText(sourceType, "sourceType");
    requireText(source, "source");
    if (digest.length() > MAX_DIGEST_LENGTH) {
      throw new IllegalArgumentException("dataset digest '" + digest + "' of " + name + " has "
          + digest.length() + " characters; MLflow stores at most " + MAX_DIGEST_LENGTH
          + " (use a prefix of the hash, e.g. its first 16 hex characters)");
    }
  }

  /**
   * A data set read from a URI ({@code file:}, {@code s3a:}, {@code http:} …); the source type and
   * the source JSON follow what MLflow's own dataset sources write for such a location.
   */
  public static DatasetInput fromUri(String name, String digest, String sourceUri, String schema,
      String profile, String context) {
    requireText(sourceUri, "source URI");
    String scheme = Objects.requireNonNullElse(URI.create(sourceUri).getScheme(), "file")
        .toLowerCase(Locale.ROOT);
    String sourceType;
    String key = "uri";
    switch (scheme) {
      case "file" -> sourceType = "local";
      case "s3", "s3a", "s3n" -> sourceType = "s3";
      case "http", "https" -> {
        sourceType = "http";
        key = "url";
      }
      default -> sourceType = scheme;
    }
    return new DatasetInput(name, digest, sourceType,
        "{\"" + key + "\": " + Json.quote(sourceUri) + "}", schema, profile, context);
  }

  private static void requireText(String value, String what) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("a dataset input needs a " + what);
    }
  }
}

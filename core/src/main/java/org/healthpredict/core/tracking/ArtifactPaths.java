package org.healthpredict.core.tracking;

import java.nio.file.Path;

/** Checks and joins the relative, slash-separated paths of artifacts inside a run. */
final class ArtifactPaths {

  private ArtifactPaths() {}

  /** The normalised artifact directory: "" for the root, otherwise "a/b" without outer slashes. */
  static String directory(String artifactPath) {
    if (artifactPath == null || artifactPath.isBlank()) {
      return "";
    }
    String trimmed = artifactPath.replaceAll("^/+|/+$", "");
    check(trimmed, artifactPath);
    return trimmed;
  }

  static String join(String directory, String name) {
    check(name, name);
    return directory.isEmpty() ? name : directory + "/" + name;
  }

  /** The path of a file below a local directory, as artifact path segments joined by '/'. */
  static String relative(Path dir, Path file) {
    Path relative = dir.relativize(file);
    StringBuilder joined = new StringBuilder();
    for (Path segment : relative) {
      if (joined.length() > 0) {
        joined.append('/');
      }
      joined.append(segment);
    }
    return joined.toString();
  }

  private static void check(String path, String given) {
    if (path.startsWith("/") || path.contains("\\")) {
      throw new IllegalArgumentException("artifact path '" + given
          + "' must be relative with '/' separators");
    }
    for (String segment : path.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException("artifact path '" + given
            + "' has an empty, '.' or '..' segment");
      }
    }
  }
}

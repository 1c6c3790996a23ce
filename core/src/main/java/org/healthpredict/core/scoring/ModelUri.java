package org.healthpredict.core.scoring;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A model reference as MLflow users write it: {@code models:/<name>@<alias>},
 * {@code models:/<name>/<version>}, {@code runs:/<run id>/<path>}, or a plain directory URI.
 */
public sealed interface ModelUri {

  /** {@code models:/HealthPredict@champion}. */
  record ByAlias(String name, String alias) implements ModelUri {}

  /** {@code models:/HealthPredict/3}. */
  record ByVersion(String name, String version) implements ModelUri {}

  /** {@code runs:/<run id>/model}. */
  record ByRun(String runId, String path) implements ModelUri {}

  /** A model directory at any Hadoop URI or local path. */
  record Directory(String uri) implements ModelUri {}

  Pattern ALIAS = Pattern.compile("models:/([^/@]+)@([A-Za-z0-9_-]+)");
  Pattern VERSION = Pattern.compile("models:/([^/@]+)/(\\d+)");
  Pattern RUN = Pattern.compile("runs:/([0-9a-f]{32})/(.+)");

  static ModelUri parse(String text) {
    Matcher m;
    if ((m = ALIAS.matcher(text)).matches()) {
      return new ByAlias(m.group(1), m.group(2));
    }
    if ((m = VERSION.matcher(text)).matches()) {
      return new ByVersion(m.group(1), m.group(2));
    }
    if ((m = RUN.matcher(text)).matches()) {
      return new ByRun(m.group(1), m.group(2));
    }
    if (text.startsWith("models:/") || text.startsWith("runs:/")) {
      throw new IllegalArgumentException("model URI '" + text + "': expected models:/<name>@<alias>, "
          + "models:/<name>/<version> or runs:/<run id>/<path>");
    }
    return new Directory(text);
  }
}

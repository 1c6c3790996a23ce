package org.healthpredict.serving.http;

import java.util.Map;

/** Reads one sample's value out of a Prometheus text exposition, for assertions. */
final class PrometheusText {

  private PrometheusText() {}

  /** The value of the series with exactly these labels, or 0 when it is absent (counters start there). */
  static double value(String text, String metric, Map<String, String> labels) {
    for (String line : text.split("\n")) {
      if (line.startsWith("#") || !line.startsWith(metric)) {
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.lastIndexOf(' ');
      String name = brace < 0 ? line.substring(0, space) : line.substring(0, brace);
      if (!name.equals(metric)) {
        continue;
      }
      Map<String, String> found = brace < 0 ? Map.of() : parseLabels(line.substring(brace + 1, line.indexOf('}')));
      if (found.equals(labels)) {
        return Double.parseDouble(line.substring(space + 1));
      }
    }
    return 0.0;
  }

  private static Map<String, String> parseLabels(String inner) {
    Map<String, String> out = new java.util.HashMap<>();
    for (String pair : inner.split(",(?=[a-z_]+=\")")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      out.put(pair.substring(0, eq), pair.substring(eq + 2, pair.length() - 1));
    }
    return out;
  }
}

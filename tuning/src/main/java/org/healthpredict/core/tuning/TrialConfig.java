package org.healthpredict.core.tuning;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One sampled configuration: a family and its parameter values (Double, Integer, String or Boolean),
 * kept in name order so equal configurations print and compare the same.
 */
public record TrialConfig(String family, Map<String, Object> params) {

  public TrialConfig {
    TreeMap<String, Object> sorted = new TreeMap<>(params);
    sorted.forEach((k, v) -> {
      if (!(v instanceof Double || v instanceof Integer || v instanceof String || v instanceof Boolean)) {
        throw new IllegalArgumentException("parameter " + k + " of " + family + ": values must be Double, Integer,"
            + " String or Boolean, found " + (v == null ? "null" : v.getClass().getSimpleName()));
      }
    });
    params = Collections.unmodifiableMap(sorted);
  }

  /** For logs and run names, e.g. {@code gbt maxDepth=5 stepSize=0.1}; doubles to 4 significant digits. */
  public String describe() {
    StringBuilder out = new StringBuilder(family);
    params.forEach((k, v) -> out.append(' ').append(k).append('=').append(v instanceof Double d ? shortNumber(d) : v));
    return out.toString();
  }

  /** 4 significant digits, plain between 0.001 and 10^7 and scientific outside (1.23e-05). */
  static String shortNumber(double v) {
    if (v == 0 || Double.isNaN(v) || Double.isInfinite(v)) {
      return v == 0 ? "0" : Double.toString(v);
    }
    BigDecimal rounded = BigDecimal.valueOf(v).round(new MathContext(4, RoundingMode.HALF_EVEN)).stripTrailingZeros();
    double abs = Math.abs(v);
    if (abs >= 1e-3 && abs < 1e7) {
      return rounded.toPlainString();
    }
    String[] parts = String.format(Locale.ROOT, "%.3e", v).split("e");
    String mantissa = parts[0].contains(".") ? parts[0].replaceAll("0+$", "").replaceAll("\\.$", "") : parts[0];
    return mantissa + "e" + parts[1];
  }
}

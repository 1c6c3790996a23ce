package org.healthpredict.core.features;

/** Turns the data set's ten-year age brackets ("[70-80)") into a number a model can order. */
public final class AgeBands {

  private AgeBands() {}

  /**
   * The midpoint of a bracket "[lo-hi)", e.g. "[70-80)" → 75.0. Null or a value not in bracket form
   * gives null, so the imputer fills it like any other missing number instead of scoring failing.
   */
  public static Double midpoint(String bracket) {
    if (bracket == null) {
      return null;
    }
    String s = bracket.strip();
    int dash = s.indexOf('-');
    if (s.length() < 5 || s.charAt(0) != '[' || s.charAt(s.length() - 1) != ')' || dash < 0) {
      return null;
    }
    int lo = parseNonNegative(s, 1, dash);
    int hi = parseNonNegative(s, dash + 1, s.length() - 1);
    if (lo < 0 || hi < 0 || hi < lo) {
      return null;
    }
    return (lo + hi) / 2.0;
  }

  /** Digits in [from, to) as an int, or -1 when empty or not all digits. */
  private static int parseNonNegative(String s, int from, int to) {
    if (from >= to || to - from > 4) {
      return -1;
    }
    int value = 0;
    for (int i = from; i < to; i++) {
      char ch = s.charAt(i);
      if (ch < '0' || ch > '9') {
        return -1;
      }
      value = value * 10 + (ch - '0');
    }
    return value;
  }
}

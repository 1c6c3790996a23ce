package org.healthpredict.jobs;

import java.time.Duration;
import java.util.Locale;

/** Durations on the command line: {@code 90s}, {@code 10m}, {@code 1h}, {@code 0} or ISO-8601 {@code PT1H30M}. */
final class DurationOption {

  private DurationOption() {}

  static Duration parse(String option, String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    try {
      if (t.startsWith("pt")) {
        return nonNegative(Duration.parse(t.toUpperCase(Locale.ROOT)));
      }
      if (t.equals("0")) {
        return Duration.ZERO;
      }
      long n = Long.parseLong(t.substring(0, t.length() - 1));
      return nonNegative(switch (t.charAt(t.length() - 1)) {
        case 's' -> Duration.ofSeconds(n);
        case 'm' -> Duration.ofMinutes(n);
        case 'h' -> Duration.ofHours(n);
        default -> throw new IllegalArgumentException();
      });
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(option + ": expected e.g. 90s, 10m, 1h or PT1H30M, found '"
          + text + "'");
    }
  }

  private static Duration nonNegative(Duration d) {
    if (d.isNegative()) {
      throw new IllegalArgumentException();
    }
    return d;
  }
}

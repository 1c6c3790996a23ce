package org.healthpredict.serving.bench;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The service's resident memory after the warm-up: where it stood when the warm-up ended, at the
 * end, its highest, and the least-squares trend in between. A JVM's footprint settles in steps (the
 * heap grows to what the load needs, the JIT fills its code cache); a leak keeps climbing.
 */
record RssTrend(double startMb, double endMb, double maxMb, double slopeMbPerMinute) {

  /** Growth after the warm-up that still counts as flat. */
  static final double FLAT_GROWTH = 0.10;

  static RssTrend of(List<ResourceSampler.Sample> samples, Duration warmUp) {
    List<ResourceSampler.Sample> after = samples.stream().filter(s -> s.atNanos() >= warmUp.toNanos()).toList();
    if (after.isEmpty()) {
      return new RssTrend(Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }
    double n = after.size();
    double sx = 0;
    double sy = 0;
    double sxx = 0;
    double sxy = 0;
    double max = 0;
    for (ResourceSampler.Sample s : after) {
      double x = s.atNanos() / 6e10;
      double y = s.rssKb() / 1024.0;
      sx += x;
      sy += y;
      sxx += x * x;
      sxy += x * y;
      max = Math.max(max, y);
    }
    double slope = n < 2 ? 0 : (n * sxy - sx * sy) / (n * sxx - sx * sx);
    return new RssTrend(after.get(0).rssKb() / 1024.0, after.get(after.size() - 1).rssKb() / 1024.0, max, slope);
  }

  /** Neither the end nor the highest sample more than {@link #FLAT_GROWTH} above the start. */
  boolean flat() {
    return !Double.isNaN(startMb) && endMb <= startMb * (1 + FLAT_GROWTH) && maxMb <= startMb * (1 + FLAT_GROWTH);
  }

  String describe() {
    if (Double.isNaN(startMb)) {
      return "no samples after the warm-up";
    }
    return String.format(Locale.ROOT, "%.0f MB → %.0f MB at the end (%+.1f%%; highest %.0f MB; trend %+.2f MB/min)",
        startMb, endMb, (endMb / startMb - 1) * 100, maxMb, slopeMbPerMinute);
  }
}

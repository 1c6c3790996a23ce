package org.healthpredict.serving.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every request of the soak: when it was due (nanoseconds since the start, the open-loop schedule's
 * time, not when it actually left) and how long from then until its answer. Windows of it give the
 * per-minute table, the chart's points and the progress lines.
 */
final class LatencyLog {

  /** One answered (or failed) request; {@code outcome} is "200", another status, or the exception's name. */
  record Request(long dueNanos, long latencyNanos, String outcome) {
    boolean ok() {
      return "200".equals(outcome);
    }
  }

  /** What a time window holds. Latencies in milliseconds; NaN when the window has no requests. */
  record Window(int requests, int failed, double p50, double p99, double max, Map<String, Integer> failures) {}

  private final List<Request> requests = new ArrayList<>();

  synchronized void add(long dueNanos, long latencyNanos, String outcome) {
    requests.add(new Request(dueNanos, latencyNanos, outcome));
  }

  synchronized int size() {
    return requests.size();
  }

  /** The requests due in [from, to), by their schedule time, so a slow answer counts where it was due. */
  Window window(long fromNanos, long toNanos) {
    List<Request> in = new ArrayList<>();
    synchronized (this) {
      for (Request r : requests) {
        if (r.dueNanos() >= fromNanos && r.dueNanos() < toNanos) {
          in.add(r);
        }
      }
    }
    long[] latencies = new long[in.size()];
    int failed = 0;
    Map<String, Integer> failures = new TreeMap<>();
    for (int i = 0; i < in.size(); i++) {
      Request r = in.get(i);
      latencies[i] = r.latencyNanos();
      if (!r.ok()) {
        failed++;
        failures.merge(r.outcome(), 1, Integer::sum);
      }
    }
    Arrays.sort(latencies);
    return new Window(in.size(), failed, percentile(latencies, 0.50), percentile(latencies, 0.99),
        latencies.length == 0 ? Double.NaN : latencies[latencies.length - 1] / 1e6, failures);
  }

  /** Nearest rank: the smallest latency at or above which lies the share {@code q} of the window. */
  private static double percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, rank - 1)] / 1e6;
  }
}

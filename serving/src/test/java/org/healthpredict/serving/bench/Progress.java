package org.healthpredict.serving.bench;

import java.util.List;
import java.util.Locale;

/**
 * One line every 10 seconds while the soak runs, so a long run shows where it is and a problem shows
 * at once: requests so far, failures, the last 10 seconds' latency, the service's memory and reloads.
 */
final class Progress {

  private static final long EVERY_NANOS = 10_000_000_000L;

  private final LatencyLog requests;
  private final ResourceSampler sampler;
  private final SoakScenario scenario;
  private final long startNanos;

  Progress(LatencyLog requests, ResourceSampler sampler, SoakScenario scenario, long startNanos) {
    this.requests = requests;
    this.sampler = sampler;
    this.scenario = scenario;
    this.startNanos = startNanos;
  }

  /** Prints until {@code endNanos} (a {@link System#nanoTime()} value). */
  void printUntil(long endNanos) throws InterruptedException {
    for (long next = startNanos + EVERY_NANOS; next - endNanos <= 0; next += EVERY_NANOS) {
      long wait = next - System.nanoTime();
      if (wait > 0) {
        Thread.sleep(wait / 1_000_000);
      }
      print(next - startNanos);
    }
  }

  private void print(long at) {
    // Requests due up to a second ago: the ones due just now may still be on their way.
    long to = Math.max(0, at - 1_000_000_000L);
    LatencyLog.Window total = requests.window(0, to);
    LatencyLog.Window last = requests.window(Math.max(0, to - EVERY_NANOS), to);
    ResourceSampler.Sample s = sampler.lastBefore(at + 1);
    ResourceSampler.Sample earlier = sampler.lastBefore(at + 1 - EVERY_NANOS);
    String handler = s == null ? "?" : ServiceCounters.bucketOf(
        earlier == null ? new java.util.TreeMap<>() : earlier.handlerBuckets(), s.handlerBuckets(), 0.99)
        .map(le -> SoakReport.ms(le * 1000)).orElse("?");
    List<SoakScenario.Reload> reloads = scenario.reloads();
    long failedReloads = reloads.stream().filter(r -> !r.ok()).count();
    System.out.println(String.format(Locale.ROOT,
        "soak: %s  %,d requests, %d failed | last 10 s: p50 %s ms, p99 %s ms, max %s ms, handler p99 ≤ %s ms | %s "
            + "| reloads %d ok, %d failed | MLflow %s", SoakBenchmark.clock(at), total.requests(), total.failed(),
        SoakReport.ms(last.p50()), SoakReport.ms(last.p99()), SoakReport.ms(last.max()), handler,
        s == null ? "no sample yet" : String.format(Locale.ROOT, "RSS %.0f MB, %d threads, %d fds, temp %d entries",
            s.rssKb() / 1024.0, s.threads(), s.fds(), s.tmpEntries()),
        reloads.size() - failedReloads, failedReloads, scenario.registryDown() ? "down" : "up"));
  }
}

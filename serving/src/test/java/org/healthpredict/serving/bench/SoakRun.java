package org.healthpredict.serving.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything one soak measured, for the report and the chart. Times are nanoseconds since the load
 * started.
 *
 * @param settings the command's settings, as the report prints them
 * @param serviceCounters the service's own /metrics at the end: reloads by outcome, /predict answers by status
 * @param logCounts warnings, errors and stack-trace lines in the service's log
 */
record SoakRun(Instant startedAt, Duration duration, double rate, Duration reloadEvery, Duration outage,
    Map<String, String> settings, LatencyLog requests, List<ResourceSampler.Sample> samples,
    List<SoakScenario.Reload> reloads, long outageStartNanos, long outageEndNanos,
    Map<String, Double> serviceCounters, Map<String, Integer> logCounts, int exitStatus, int unanswered,
    String loadBefore, String loadAfter) {

  /** The first minutes, excluded from the RSS verdict: JIT, class loading, heap sizing. */
  Duration warmUp() {
    return Duration.ofMinutes(Math.min(2, Math.max(1, duration.toMinutes() / 5)));
  }

  /** Whether MLflow was down at some moment of [from, to). */
  boolean registryDownDuring(long fromNanos, long toNanos) {
    long end = outageEndNanos < 0 ? Long.MAX_VALUE : outageEndNanos;
    return outageStartNanos >= 0 && outageStartNanos < toNanos && end > fromNanos;
  }
}

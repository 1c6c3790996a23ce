package org.healthpredict.serving.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the service says about itself at the end, beside what the harness saw: its reload counter,
 * its count of /predict answers by status and its own /predict latency histogram from /metrics, and
 * its log's warnings, errors and stack-trace lines. Its histogram times the handler only; set beside
 * the harness's latency it tells time in the service from time queued in the kernel and the client.
 */
final class ServiceCounters {

  private static final Pattern RELOADS = Pattern.compile(
      "(?m)^hp_model_reloads_total\\{outcome=\"([a-z]+)\"} ([0-9.eE+]+)$");
  private static final Pattern PREDICT = Pattern.compile(
      "(?m)^hp_requests_total\\{route=\"/predict\",status=\"([0-9]+)\",[^}]*} ([0-9.eE+]+)$");
  private static final Pattern PREDICT_BUCKET = Pattern.compile(
      "(?m)^hp_request_duration_seconds_bucket\\{route=\"/predict\",status=\"200\",le=\"([^\"]+)\"} ([0-9.eE+]+)$");
  private static final Pattern GC_SECONDS = Pattern.compile("(?m)^jvm_gc_collection_seconds_sum\\{[^}]*} ([0-9.eE+-]+)$");
  /** The project's log layout: {@code HH:mm:ss LEVEL Logger: message}. */
  private static final Pattern LEVEL = Pattern.compile("^\\d\\d:\\d\\d:\\d\\d (WARN|ERROR) ");

  private ServiceCounters() {}

  /**
   * "reloads ok", "reloads failed", "predict 200", ..., and "latency p50 le" and "latency p99 le": the
   * upper bounds (seconds) of the histogram buckets holding the service's median and 99th percentile.
   * Empty when /metrics does not answer.
   */
  static Map<String, Double> read(ServiceProcess service) {
    Map<String, Double> out = new TreeMap<>();
    try {
      String metrics = service.body("/metrics");
      for (Matcher m = RELOADS.matcher(metrics); m.find(); ) {
        out.put("reloads " + m.group(1), Double.parseDouble(m.group(2)));
      }
      for (Matcher m = PREDICT.matcher(metrics); m.find(); ) {
        out.merge("predict " + m.group(1), Double.parseDouble(m.group(2)), Double::sum);
      }
      NavigableMap<Double, Double> buckets = predictBuckets(metrics);
      bucketOf(buckets, 0.50).ifPresent(le -> out.put("latency p50 le", le));
      bucketOf(buckets, 0.99).ifPresent(le -> out.put("latency p99 le", le));
    } catch (IOException e) {
      System.out.println("soak: cannot read the service's /metrics: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return out;
  }

  /** The cumulative buckets of the service's histogram of successful /predict handling, by upper bound (seconds). */
  static NavigableMap<Double, Double> predictBuckets(String metrics) {
    NavigableMap<Double, Double> buckets = new TreeMap<>();
    for (Matcher m = PREDICT_BUCKET.matcher(metrics); m.find(); ) {
      buckets.put(m.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(1)),
          Double.parseDouble(m.group(2)));
    }
    return buckets;
  }

  /** All collectors' time so far, in seconds. */
  static double gcSeconds(String metrics) {
    double sum = 0;
    for (Matcher m = GC_SECONDS.matcher(metrics); m.find(); ) {
      sum += Double.parseDouble(m.group(1));
    }
    return sum;
  }

  /**
   * The upper bound of the first cumulative bucket holding the share {@code q} of the observations
   * made between two readings of the histogram ({@code before} empty: since the start).
   */
  static Optional<Double> bucketOf(NavigableMap<Double, Double> before, NavigableMap<Double, Double> after, double q) {
    NavigableMap<Double, Double> delta = new TreeMap<>();
    after.forEach((le, n) -> delta.put(le, n - before.getOrDefault(le, 0.0)));
    return bucketOf(delta, q);
  }

  private static Optional<Double> bucketOf(NavigableMap<Double, Double> cumulative, double q) {
    if (cumulative.isEmpty() || cumulative.lastEntry().getValue() <= 0) {
      return Optional.empty();
    }
    double total = cumulative.lastEntry().getValue();
    return cumulative.entrySet().stream().filter(e -> e.getValue() >= q * total).map(Map.Entry::getKey).findFirst();
  }

  /** "warn", "error" and "trace" (lines of a stack trace) in the service's log. */
  static Map<String, Integer> logCounts(Path log) throws IOException {
    Map<String, Integer> out = new TreeMap<>();
    for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
      Matcher m = LEVEL.matcher(line);
      if (m.find()) {
        out.merge(m.group(1).toLowerCase(), 1, Integer::sum);
      } else if (line.startsWith("\tat ")) {
        out.merge("trace", 1, Integer::sum);
      }
    }
    return out;
  }
}

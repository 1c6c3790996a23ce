package org.healthpredict.serving.bench;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The soak as Markdown: the verdict against the targets (no failed request; resident memory flat
 * after the warm-up; no failed reload while MLflow is up), one table row per minute, and every reload.
 */
final class SoakReport {

  private static final long MINUTE = 60_000_000_000L;

  private final SoakRun run;
  private final List<String> out = new ArrayList<>();

  private SoakReport(SoakRun run) {
    this.run = run;
  }

  static String render(SoakRun run, String chartFile) {
    return new SoakReport(run).build(chartFile);
  }

  private String build(String chartFile) {
    long total = run.duration().toNanos();
    LatencyLog.Window all = run.requests().window(0, Long.MAX_VALUE);
    line("# Soak: the scoring service for %s at %s requests/s (%s)", clock(total), fmt0(run.rate()),
        DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm'Z'").format(run.startedAt().atOffset(ZoneOffset.UTC)));
    line("");
    line("%d cores, load average %s before and %s after (a shared machine: other work ran beside the soak).",
        Runtime.getRuntime().availableProcessors(), run.loadBefore(), run.loadAfter());
    run.settings().forEach((k, v) -> line("- %s: %s", k, v));
    line("");
    summary(all);
    line("");
    perMinute(total);
    line("");
    reloads();
    if (!all.failures().isEmpty()) {
      line("");
      line("Failed requests by outcome: %s", all.failures());
    }
    if (chartFile != null) {
      line("");
      line("![p99 latency and resident memory over time](%s)", chartFile);
    }
    return String.join("\n", out) + "\n";
  }

  private void summary(LatencyLog.Window all) {
    List<LatencyLog.Window> minutes = minuteWindows(run.duration().toNanos());
    double p99Lo = minutes.stream().mapToDouble(LatencyLog.Window::p99).filter(d -> !Double.isNaN(d)).min().orElse(Double.NaN);
    double p99Hi = minutes.stream().mapToDouble(LatencyLog.Window::p99).filter(d -> !Double.isNaN(d)).max().orElse(Double.NaN);
    long okUp = run.reloads().stream().filter(r -> r.ok() && !r.registryDown()).count();
    long failedUp = run.reloads().stream().filter(r -> !r.ok() && !r.registryDown()).count();
    long failedDown = run.reloads().stream().filter(r -> !r.ok() && r.registryDown()).count();
    long okDown = run.reloads().stream().filter(r -> r.ok() && r.registryDown()).count();
    RssTrend rss = RssTrend.of(run.samples(), run.warmUp());

    line("| | measured | target | verdict |");
    line("|---|---|---|---|");
    line("| requests sent / failed | %,d / **%,d**%s | 0 failed | %s |", all.requests(), all.failed(),
        run.unanswered() > 0 ? " (and " + run.unanswered() + " due but never answered)" : "",
        all.failed() == 0 && run.unanswered() == 0 ? "**met**" : "**not met**");
    line("| p50 / p99 / max over the whole run | %s / %s / %s ms | | |", ms(all.p50()), ms(all.p99()), ms(all.max()));
    line("| p99 per minute | %s–%s ms | | |", ms(p99Lo), ms(p99Hi));
    line("| p99 per 10 s after the warm-up, median: windows with a reload / without | %s | | |", reloadWindows());
    line("| RSS after the warm-up (%d min) | %s | flat (growth ≤ %.0f%%) | %s |", run.warmUp().toMinutes(),
        rss.describe(), RssTrend.FLAT_GROWTH * 100, rss.flat() ? "**met**" : "**not met**");
    line("| reloads (alias moved + `POST /admin/reload`) | %d done, **%d failed** with MLflow up; %d failed with it down%s | "
        + "none failed with MLflow up | %s |", okUp, failedUp, failedDown,
        okDown > 0 ? " (" + okDown + " succeeded while it was down)" : "", failedUp == 0 ? "**met**" : "**not met**");
    line("| the service's reload counter | %s ok, %s failed (admin reloads and registry polls) | | |",
        count("reloads ok"), count("reloads failed"));
    line("| the service's `/predict` answers | %s | | |", predictAnswers());
    line("| the service's own `/predict` time (its histogram, handler only) | p50 ≤ %s ms, p99 ≤ %s ms (bucket bounds) | | |",
        bound("latency p50 le"), bound("latency p99 le"));
    line("| MLflow outage | %s | | |", outage());
    ResourceSampler.Sample last = run.samples().isEmpty() ? null : run.samples().get(run.samples().size() - 1);
    if (last != null) {
      line("| the service's temporary directory at the end | %d %s, %.1f MB | | |", last.tmpEntries(),
          last.tmpEntries() == 1 ? "entry" : "entries", last.tmpBytes() / 1e6);
    }
    line("| the service's log | %d warnings, %d errors, %d stack-trace lines; exit status %d after SIGTERM | | |",
        run.logCounts().getOrDefault("warn", 0), run.logCounts().getOrDefault("error", 0),
        run.logCounts().getOrDefault("trace", 0), run.exitStatus());
  }

  private void perMinute(long total) {
    line("Per minute (requests by the minute they were due; latency from the due time, so a stall counts in full; "
        + "handler p99: the service's own histogram of its /predict handler, which leaves out time queued in the "
        + "kernel, in Jetty and in the client; GC ms: the service's collection time in the minute; both from its "
        + "/metrics; RSS, threads, descriptors and temporary files as sampled at the minute's end):");
    line("");
    line("| minute | requests | failed | p50 ms | p99 ms | max ms | handler p99 ms | GC ms | RSS MB | threads | fds | temp MB | reloads ok / failed | MLflow |");
    line("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|");
    List<LatencyLog.Window> minutes = minuteWindows(total);
    for (int m = 0; m < minutes.size(); m++) {
      long from = m * MINUTE;
      long to = Math.min(total, from + MINUTE);
      LatencyLog.Window w = minutes.get(m);
      ResourceSampler.Sample s = lastSample(to);
      ResourceSampler.Sample before = lastSample(from);
      long ok = run.reloads().stream().filter(r -> r.atNanos() >= from && r.atNanos() < to && r.ok()).count();
      long failed = run.reloads().stream().filter(r -> r.atNanos() >= from && r.atNanos() < to && !r.ok()).count();
      line("| %d | %,d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %d / %s | %s |", m + 1, w.requests(),
          w.failed() == 0 ? "0" : "**" + w.failed() + "**", ms(w.p50()), ms(w.p99()), ms(w.max()),
          handlerP99(before, s), gcMillis(before, s),
          s == null ? "" : fmt0(s.rssKb() / 1024.0), s == null ? "" : s.threads(), s == null ? "" : s.fds(),
          s == null || s.tmpBytes() < 0 ? "" : String.format(Locale.ROOT, "%.1f", s.tmpBytes() / 1e6), ok,
          failed == 0 ? "0" : "**" + failed + "**", run.registryDownDuring(from, to) ? "down" : "up");
    }
  }

  private void reloads() {
    line("Reloads (the alias moved to the other version, then `POST /admin/reload`; with MLflow down only the call):");
    line("");
    line("| at | to version | result | ms | detail |");
    line("|---|---:|---|---:|---|");
    for (SoakScenario.Reload r : run.reloads()) {
      line("| %s | %s | %s | %d | %s |", clock(r.atNanos()), r.version(),
          r.ok() ? "ok" : r.registryDown() ? "failed (MLflow down)" : "**failed**", r.millis(),
          r.detail().replace("|", "\\|").replaceAll("\\s+", " "));
    }
  }

  /**
   * A reload reads a model (seconds of CPU and allocation) beside the requests: the median p99 of the
   * 10-second windows in which one started, against the windows in which none did.
   */
  private String reloadWindows() {
    long step = SoakChart.WINDOW_NANOS;
    List<Double> with = new ArrayList<>();
    List<Double> without = new ArrayList<>();
    for (long from = run.warmUp().toNanos(); from + step <= run.duration().toNanos(); from += step) {
      long f = from;
      double p99 = run.requests().window(from, from + step).p99();
      if (!Double.isNaN(p99)) {
        (run.reloads().stream().anyMatch(r -> r.atNanos() >= f && r.atNanos() < f + step) ? with : without).add(p99);
      }
    }
    return String.format(Locale.ROOT, "%s ms (%d windows) / %s ms (%d windows)", ms(median(with)), with.size(),
        ms(median(without)), without.size());
  }

  private static double median(List<Double> values) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private List<LatencyLog.Window> minuteWindows(long total) {
    List<LatencyLog.Window> windows = new ArrayList<>();
    for (long from = 0; from < total; from += MINUTE) {
      windows.add(run.requests().window(from, Math.min(total, from + MINUTE)));
    }
    return windows;
  }

  private ResourceSampler.Sample lastSample(long atNanos) {
    ResourceSampler.Sample last = null;
    for (ResourceSampler.Sample s : run.samples()) {
      if (s.atNanos() <= atNanos) {
        last = s;
      }
    }
    return last;
  }

  /** The service's own p99 between two samples, as the bound of its histogram bucket ("≤ 1.00"). */
  private static String handlerP99(ResourceSampler.Sample before, ResourceSampler.Sample after) {
    if (after == null) {
      return "";
    }
    return ServiceCounters.bucketOf(before == null ? new java.util.TreeMap<>() : before.handlerBuckets(),
        after.handlerBuckets(), 0.99).map(le -> le.isInfinite() ? "> 10 s" : "≤ " + ms(le * 1000)).orElse("");
  }

  /** Collection time between two samples (from the service's start when there is none before). */
  private static String gcMillis(ResourceSampler.Sample before, ResourceSampler.Sample after) {
    if (after == null || Double.isNaN(after.gcSeconds())) {
      return "";
    }
    double from = before == null || Double.isNaN(before.gcSeconds()) ? 0 : before.gcSeconds();
    return String.format(Locale.ROOT, "%.0f", (after.gcSeconds() - from) * 1000);
  }

  private String outage() {
    if (run.outage().isZero()) {
      return "none (--outage-seconds 0)";
    }
    if (run.outageStartNanos() < 0) {
      return "not reached";
    }
    if (run.outageEndNanos() < 0) {
      return "stopped at " + clock(run.outageStartNanos()) + ", never answering again";
    }
    return String.format(Locale.ROOT, "stopped at %s, answering again at %s (%.0f s down, including its start-up)",
        clock(run.outageStartNanos()), clock(run.outageEndNanos()),
        (run.outageEndNanos() - run.outageStartNanos()) / 1e9);
  }

  private String predictAnswers() {
    Map<String, Double> byStatus = new TreeMap<>();
    run.serviceCounters().forEach((k, v) -> {
      if (k.startsWith("predict ")) {
        byStatus.put(k.substring("predict ".length()), v);
      }
    });
    if (byStatus.isEmpty()) {
      return "(not read)";
    }
    List<String> parts = new ArrayList<>();
    byStatus.forEach((status, n) -> parts.add(String.format(Locale.ROOT, "%,.0f × %s", n, status)));
    return String.join(", ", parts);
  }

  private String bound(String key) {
    Double v = run.serviceCounters().get(key);
    return v == null ? "?" : v.isInfinite() ? "∞" : ms(v * 1000);
  }

  private String count(String key) {
    Double v = run.serviceCounters().get(key);
    return v == null ? "0" : fmt0(v);
  }

  private void line(String format, Object... args) {
    out.add(String.format(Locale.ROOT, format, args));
  }

  static String ms(double v) {
    if (Double.isNaN(v)) {
      return "–";
    }
    return String.format(Locale.ROOT, v < 10 ? "%.2f" : v < 100 ? "%.1f" : "%.0f", v);
  }

  private static String fmt0(double v) {
    return String.format(Locale.ROOT, "%,.0f", v);
  }

  private static String clock(long nanos) {
    return SoakBenchmark.clock(nanos);
  }
}

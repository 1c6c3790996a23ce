package org.healthpredict.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;
import org.healthpredict.core.data.RawReader;
import org.healthpredict.core.data.synthetic.SyntheticEncounters;
import org.healthpredict.core.drift.DriftOptions;
import org.healthpredict.core.drift.DriftReport;
import org.healthpredict.core.drift.DriftRunner;
import org.healthpredict.core.drift.FeatureDrift;
import org.healthpredict.core.spark.SparkSessions;

/**
 * `make bench-drift`: a drift report (what `drift` computes and writes, without MLflow) for N generated
 * reference rows against N generated current rows (another seed), for growing N, several times each:
 * wall time, peak JVM heap (driver and executors share it in local mode), and how many distinct values
 * reach the driver — which should not grow with N.
 *
 * <p>Arguments: {@code [sizes=100000,300000,1000000] [repeats=3] [workDir=out/bench-drift]}.
 */
public final class DriftBenchmark {

  private record Run(double seconds, long peakHeapBytes, DriftReport report) {}

  private record SizeResult(long rows, List<Run> runs) {}

  public static void main(String[] args) throws Exception {
    long[] sizes = Arrays.stream((args.length > 0 ? args[0] : "100000,300000,1000000").split(","))
        .mapToLong(Long::parseLong).toArray();
    int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Path work = Path.of(args.length > 2 ? args[2] : "out/bench-drift").toAbsolutePath();
    Files.createDirectories(work);
    SparkSession spark = SparkSessions.getOrCreate("health-predict bench-drift");
    String source = Path.of("data/sample/diabetic_data_sample.csv").toAbsolutePath().toUri().toString();
    DriftRunner runner = new DriftRunner(spark, line -> {});

    log("warm-up on 50,000 rows");
    measure(runner, typed(spark, work, source, 50_000, 42), typed(spark, work, source, 50_000, 43),
        work.resolve("report-warmup"));

    List<SizeResult> results = new ArrayList<>();
    for (long rows : sizes) {
      String reference = typed(spark, work, source, rows, 42);
      String current = typed(spark, work, source, rows, 43);
      List<Run> runs = new ArrayList<>();
      for (int r = 0; r < repeats; r++) {
        runs.add(measure(runner, reference, current, work.resolve("report-" + rows)));
        log(String.format(Locale.ROOT, "%,d vs %,d rows, run %d/%d: %.1f s, peak heap %d MB, %s", rows, rows, r + 1,
            repeats, runs.get(r).seconds, runs.get(r).peakHeapBytes >> 20, runs.get(r).report.status()));
      }
      results.add(new SizeResult(rows, runs));
    }
    String report = report(results, repeats);
    System.out.println(report);
    Files.writeString(work.resolve("drift-benchmark.md"), report, StandardCharsets.UTF_8);
    log("report written to " + work.resolve("drift-benchmark.md"));
    spark.stop();
  }

  /** Generated raw encounters (seeded) as the split's typed Parquet, made once and reused. */
  private static String typed(SparkSession spark, Path work, String source, long rows, long seed) {
    Path typed = work.resolve("typed-" + rows + "-seed" + seed);
    if (!Files.isDirectory(typed)) {
      String raw = work.resolve("raw-" + rows + "-seed" + seed).toUri().toString();
      new SyntheticEncounters(spark, l -> {}).generate(source, raw, SyntheticEncounters.Options.resample(rows, seed, 0));
      RawReader.read(spark, raw).accepted().write().parquet(typed.toUri().toString());
      log(String.format(Locale.ROOT, "generated %,d rows (seed %d) → %s", rows, seed, typed));
    }
    return typed.toUri().toString();
  }

  private static Run measure(DriftRunner runner, String reference, String current, Path report) {
    List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
        .filter(p -> p.getType() == MemoryType.HEAP).toList();
    System.gc();
    heap.forEach(MemoryPoolMXBean::resetPeakUsage);
    long start = System.nanoTime();
    DriftRunner.Outcome outcome = runner.run(new DriftRunner.Inputs(reference, current, null), Optional.empty(),
        DriftOptions.EVIDENTLY_DEFAULTS, report.toUri().toString());
    double seconds = (System.nanoTime() - start) / 1e9;
    long peak = heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
    return new Run(seconds, peak, outcome.report());
  }

  private static String report(List<SizeResult> results, int repeats) {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "Drift benchmark: %d cores, JVM max heap %d MB, median of %d runs%n%n",
        Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20, repeats));
    out.append("| rows per side | wall s | rows/s (both sides) | peak heap MB | distinct values to driver | drifted features | status |\n");
    out.append("|---:|---:|---:|---:|---:|---:|---|\n");
    for (SizeResult r : results) {
      double seconds = median(r.runs.stream().mapToDouble(Run::seconds).toArray());
      double peak = median(r.runs.stream().mapToDouble(x -> x.peakHeapBytes >> 20).toArray());
      DriftReport last = r.runs.get(r.runs.size() - 1).report;
      long values = last.features().stream().mapToLong(FeatureDrift::distinctValues).sum();
      out.append(String.format(Locale.ROOT, "| %,d | %.1f | %,.0f | %.0f | %,d | %d of %d | %s |%n", r.rows, seconds,
          2 * r.rows / seconds, peak, values, last.driftedFeatures(), last.testedFeatures(), last.status()));
    }
    SizeResult smallest = results.get(0);
    SizeResult largest = results.get(results.size() - 1);
    double heapRatio = median(largest.runs.stream().mapToDouble(x -> x.peakHeapBytes).toArray())
        / median(smallest.runs.stream().mapToDouble(x -> x.peakHeapBytes).toArray());
    out.append(String.format(Locale.ROOT, "%nPeak heap %,d rows / %,d rows: %.2f×; wall time on %,d rows: %.1f s "
            + "(target < 60 s)%n", largest.rows, smallest.rows, heapRatio, largest.rows,
        median(largest.runs.stream().mapToDouble(Run::seconds).toArray())));
    return out.toString();
  }

  private static double median(double[] values) {
    double[] s = values.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  private static void log(String line) {
    System.out.println("bench-drift: " + line);
  }
}

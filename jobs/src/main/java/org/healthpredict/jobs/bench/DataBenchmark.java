package org.healthpredict.jobs.bench;

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
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.healthpredict.core.data.synthetic.SyntheticEncounters;
import org.healthpredict.core.features.FeatureFit;
import org.healthpredict.core.features.FeaturePipeline;
import org.healthpredict.core.features.ModelFamily;
import org.healthpredict.core.spark.SparkSessions;
import org.healthpredict.core.split.EncounterSplitter;
import org.healthpredict.core.split.PatientAssignment;
import org.healthpredict.core.split.SplitOptions;
import org.healthpredict.core.split.SplitParts;
import org.healthpredict.core.split.SplitRunner;

/**
 * `make bench-data`: generates synthetic inputs of growing size, then times `split` and a fit +
 * transform of the feature pipeline on each, several times, and prints medians, rows per second,
 * peak heap, and how flat the time per row stays as the input grows. The JVM is warmed up on the
 * sample and then by one untimed run on the first size, so every size is timed in a warm JVM.
 *
 * <p>Arguments: {@code [sizes=100000,300000,1000000] [repeats=3] [workDir=out/bench]}.
 */
public final class DataBenchmark {

  private record Step(double seconds, long peakHeapBytes) {}

  private record SizeResult(long rows, Step generate, List<Step> split, List<Step> features, long modellingRows) {}

  public static void main(String[] args) throws Exception {
    long[] sizes = Arrays.stream((args.length > 0 ? args[0] : "100000,300000,1000000").split(","))
        .mapToLong(Long::parseLong).toArray();
    int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Path work = Path.of(args.length > 2 ? args[2] : "out/bench").toAbsolutePath();
    Files.createDirectories(work);
    SparkSession spark = SparkSessions.getOrCreate("health-predict bench-data");
    String source = Path.of("data/sample/diabetic_data_sample.csv").toAbsolutePath().toUri().toString();

    log("warm-up on the 4,999-row sample");
    String warmSplit = work.resolve("warmup-split").toUri().toString();
    new SplitRunner(spark, l -> {}).run(source, warmSplit, SplitOptions.DEFAULTS);
    featurise(spark, warmSplit);

    List<SizeResult> results = new ArrayList<>();
    for (long rows : sizes) {
      String raw = work.resolve("raw-" + rows).toUri().toString();
      String split = work.resolve("split-" + rows).toUri().toString();
      Step generate = measure(() -> new SyntheticEncounters(spark, l -> {}).generate(source, raw, new SyntheticEncounters.Options(rows, 42L, 0)));
      log(String.format(Locale.ROOT, "%,d rows generated in %.1f s", rows, generate.seconds));
      if (results.isEmpty()) {
        // The sample is too small to bring the JIT to steady state, so without this the first size's
        // runs would pay for compilation the later (larger) sizes never see, and the per-row
        // comparison would measure warm-up rather than scaling. One untimed run levels them.
        new SplitRunner(spark, l -> {}).run(raw, split, SplitOptions.DEFAULTS);
        featurise(spark, split);
        log(String.format(Locale.ROOT, "%,d rows: untimed warm-up run done", rows));
      }
      List<Step> splits = new ArrayList<>();
      List<Step> features = new ArrayList<>();
      for (int r = 0; r < repeats; r++) {
        splits.add(measure(() -> new SplitRunner(spark, l -> {}).run(raw, split, SplitOptions.DEFAULTS)));
        features.add(measure(() -> featurise(spark, split)));
        log(String.format(Locale.ROOT, "%,d rows, run %d/%d: split %.1f s, features %.1f s", rows, r + 1, repeats,
            splits.get(r).seconds, features.get(r).seconds));
      }
      long modelling = modelling(spark, split).count();
      results.add(new SizeResult(rows, generate, splits, features, modelling));
    }
    String report = report(results, repeats);
    System.out.println(report);
    Files.writeString(work.resolve("data-benchmark.md"), report, StandardCharsets.UTF_8);
    log("report written to " + work.resolve("data-benchmark.md"));
    spark.stop();
  }

  /** Fits the (LR, so with scaling: every stage) feature pipeline on train and transforms all modelling rows. */
  private static void featurise(SparkSession spark, String split) {
    PipelineModel fitted = FeatureFit.fit(ModelFamily.LR, SplitParts.read(spark, split, PatientAssignment.TRAIN));
    Dataset<Row> all = modelling(spark, split);
    fitted.transform(all).select(FeaturePipeline.FEATURES).write().format("noop").mode("overwrite").save();
  }

  /** Every row for modelling: the initial parts and the future. */
  private static Dataset<Row> modelling(SparkSession spark, String split) {
    return SplitParts.read(spark, split, PatientAssignment.TRAIN, PatientAssignment.VALIDATION, PatientAssignment.TEST,
        EncounterSplitter.FUTURE);
  }

  private static Step measure(Runnable work) {
    List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
        .filter(p -> p.getType() == MemoryType.HEAP).toList();
    System.gc();
    heap.forEach(MemoryPoolMXBean::resetPeakUsage);
    long start = System.nanoTime();
    work.run();
    double seconds = (System.nanoTime() - start) / 1e9;
    long peak = heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
    return new Step(seconds, peak);
  }

  private static String report(List<SizeResult> results, int repeats) {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "Data benchmark: %d cores, JVM max heap %d MB, median of %d runs%n%n",
        Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20, repeats));
    out.append("| input rows | generate s (rows/s) | split s (rows/s) | features s (rows/s) | split + features s | µs per input row | peak heap MB |\n");
    out.append("|---:|---:|---:|---:|---:|---:|---:|\n");
    SizeResult largest = results.get(results.size() - 1);
    double largestPerRow = perRowMicros(largest);
    for (SizeResult r : results) {
      double split = median(r.split);
      double features = median(r.features);
      long peak = Math.max(r.generate.peakHeapBytes,
          Math.max(r.split.stream().mapToLong(Step::peakHeapBytes).max().orElse(0),
              r.features.stream().mapToLong(Step::peakHeapBytes).max().orElse(0)));
      out.append(String.format(Locale.ROOT, "| %,d | %.1f (%,.0f) | %.1f (%,.0f) | %.1f (%,.0f) | %.1f | %.1f | %d |%n",
          r.rows, r.generate.seconds, r.rows / r.generate.seconds, split, r.rows / split,
          features, r.modellingRows / features, split + features, perRowMicros(r), peak >> 20));
    }
    out.append(String.format(Locale.ROOT, "%nTime per row relative to %,d rows:", largest.rows));
    for (SizeResult r : results) {
      out.append(String.format(Locale.ROOT, " %,d → %+.0f%%;", r.rows, 100 * (perRowMicros(r) / largestPerRow - 1)));
    }
    out.append(String.format(Locale.ROOT, "%nsplit + features on %,d rows: %.1f s (target < 90 s)%n",
        largest.rows, median(largest.split) + median(largest.features)));
    return out.toString();
  }

  private static double perRowMicros(SizeResult r) {
    return (median(r.split) + median(r.features)) / r.rows * 1e6;
  }

  private static double median(List<Step> steps) {
    double[] s = steps.stream().mapToDouble(Step::seconds).sorted().toArray();
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  private static void log(String line) {
    System.out.println("bench-data: " + line);
  }
}

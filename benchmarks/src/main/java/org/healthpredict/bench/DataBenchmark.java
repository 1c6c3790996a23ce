package org.healthpredict.bench;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.CompilationMXBean;
import java.lang.management.GarbageCollectorMXBean;
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
import java.util.function.ToDoubleFunction;
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
 * peak heap, JIT and GC time, and how flat the time per row stays as the input grows. The JVM is
 * warmed up on the sample, by several untimed runs of the smallest size and one of every other;
 * the timed runs go round the sizes in turn, so every size is timed in an equally warm JVM.
 *
 * <p>Arguments: {@code [sizes=100000,300000,1000000] [repeats=5] [workDir=out/bench]}.
 */
public final class DataBenchmark {

  /**
   * Untimed runs of the smallest size before timing (see {@link #warmUp}). A count of runs, not a
   * time: the JIT promotes a method after so many calls, and a run makes the same calls on any
   * machine.
   */
  private static final int WARM_UP_RUNS = 20;

  /** One timed step, with what the JVM spent meanwhile on JIT compilation and on garbage collection. */
  private record Step(double seconds, long peakHeapBytes, double jitSeconds, double gcSeconds) {}

  private record SizeResult(long rows, Step generate, List<Step> split, List<Step> features, long modellingRows) {}

  /** One input size: its generated raw CSV and where its split goes. */
  private record Input(long rows, String raw, String split, Step generate) {}

  public static void main(String[] args) throws Exception {
    long[] sizes = Arrays.stream((args.length > 0 ? args[0] : "100000,300000,1000000").split(","))
        .mapToLong(Long::parseLong).toArray();
    int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    Path work = Path.of(args.length > 2 ? args[2] : "out/bench").toAbsolutePath();
    Files.createDirectories(work);
    keepHeapCommitted();
    SparkSession spark = SparkSessions.getOrCreate("health-predict bench-data");
    String source = Path.of("data/sample/diabetic_data_sample.csv").toAbsolutePath().toUri().toString();

    log("warm-up on the 4,999-row sample");
    splitAndFeaturise(spark, source, work.resolve("warmup-split").toUri().toString());
    List<Input> inputs = new ArrayList<>();
    for (long rows : sizes) {
      String raw = work.resolve("raw-" + rows).toUri().toString();
      Step generate = measure(() -> new SyntheticEncounters(spark, l -> {}).generate(source, raw, SyntheticEncounters.Options.resample(rows, 42L, 0)));
      log(String.format(Locale.ROOT, "%,d rows generated in %.1f s", rows, generate.seconds));
      inputs.add(new Input(rows, raw, work.resolve("split-" + rows).toUri().toString(), generate));
    }
    warmUp(spark, inputs);
    String report = report(timeRounds(spark, inputs, repeats), repeats);
    System.out.println(report);
    Files.writeString(work.resolve("data-benchmark.md"), report, StandardCharsets.UTF_8);
    log("report written to " + work.resolve("data-benchmark.md"));
    spark.stop();
  }

  /**
   * {@link #measure} starts every step with a full collection, and after one G1 gives the heap it
   * does not need back to the kernel (down to MaxHeapFreeRatio, 70% free, by default). The next
   * step that needs a larger young generation then takes the memory again, and the kernel's page
   * faults on those gigabytes are system time, which falls on whichever step is running. Measured
   * with JFR (docs/benchmarks.md, "Data"): committed heap 960 MB → 2.8 GB in the middle of a 100k
   * features step, the JVM at 43–70% system time, and the step 3.1 s instead of 1.5 s. That is the
   * harness's own doing, not the job's, so the heap keeps what it has taken.
   */
  private static void keepHeapCommitted() {
    ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).setVMOption("MaxHeapFreeRatio", "100");
  }

  /**
   * Spark keeps the JIT compilers busy long after the first runs, and on 2 cores the compilers take
   * CPU from the tasks. That cost does not grow with the rows, so a size timed in a colder JVM looks
   * slower per row. Measured on 100k rows (docs/benchmarks.md, "Data"): JIT time per run falls from
   * about 9 s in the first run to about 2 s by the eighth, while C2 still compiles about 180 methods a
   * run for the first time (the driver's planning code, called a few hundred times a run, reaches
   * C2's thresholds only after many runs), and to about 1 s from the sixteenth on. The warm-up
   * therefore repeats the smallest size, which is cheap, then runs every other size once: each size
   * has queries of its own (its cut-off and medians are literals in the generated code).
   */
  private static void warmUp(SparkSession spark, List<Input> inputs) {
    Input smallest = inputs.get(0);
    for (int w = 1; w <= WARM_UP_RUNS; w++) {
      Step run = measure(() -> splitAndFeaturise(spark, smallest.raw, smallest.split));
      log(String.format(Locale.ROOT, "%,d rows: untimed warm-up run %d/%d, %.1f s (JIT %.1f s)",
          smallest.rows, w, WARM_UP_RUNS, run.seconds, run.jitSeconds));
    }
    for (Input input : inputs.subList(1, inputs.size())) {
      splitAndFeaturise(spark, input.raw, input.split);
      log(String.format(Locale.ROOT, "%,d rows: untimed warm-up run done", input.rows));
    }
  }

  /** Times split and features {@code repeats} times per size, going round the sizes so none is always timed first. */
  private static List<SizeResult> timeRounds(SparkSession spark, List<Input> inputs, int repeats) {
    List<List<Step>> splits = new ArrayList<>();
    List<List<Step>> features = new ArrayList<>();
    inputs.forEach(i -> {
      splits.add(new ArrayList<>());
      features.add(new ArrayList<>());
    });
    for (int r = 0; r < repeats; r++) {
      for (int i = 0; i < inputs.size(); i++) {
        Input input = inputs.get(i);
        Step s = measure(() -> split(spark, input.raw, input.split));
        Step f = measure(() -> featurise(spark, input.split));
        splits.get(i).add(s);
        features.get(i).add(f);
        log(String.format(Locale.ROOT, "%,d rows, round %d/%d: split %.1f s, features %.1f s (JIT %.1f s, GC %.1f s)",
            input.rows, r + 1, repeats, s.seconds, f.seconds, s.jitSeconds + f.jitSeconds, s.gcSeconds + f.gcSeconds));
      }
    }
    List<SizeResult> results = new ArrayList<>();
    for (int i = 0; i < inputs.size(); i++) {
      Input input = inputs.get(i);
      results.add(new SizeResult(input.rows, input.generate, splits.get(i), features.get(i),
          modelling(spark, input.split).count()));
    }
    return results;
  }

  private static void splitAndFeaturise(SparkSession spark, String raw, String split) {
    split(spark, raw, split);
    featurise(spark, split);
  }

  /** What `jobs split` does, with the default options and no progress output. */
  private static void split(SparkSession spark, String raw, String split) {
    new SplitRunner(spark, l -> {}).run(raw, split, SplitOptions.DEFAULTS);
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
    long jit = jitMillis();
    long gc = gcMillis();
    long start = System.nanoTime();
    work.run();
    double seconds = (System.nanoTime() - start) / 1e9;
    long peak = heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
    return new Step(seconds, peak, (jitMillis() - jit) / 1e3, (gcMillis() - gc) / 1e3);
  }

  /**
   * Time the JIT compilers have spent so far (summed over their threads). On 2 cores they take CPU
   * from the tasks, so this shows how much of a small input's time is the JVM rather than the rows.
   */
  private static long jitMillis() {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
  }

  private static long gcMillis() {
    return ManagementFactory.getGarbageCollectorMXBeans().stream()
        .mapToLong(GarbageCollectorMXBean::getCollectionTime).filter(t -> t > 0).sum();
  }

  private static String report(List<SizeResult> results, int repeats) {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "Data benchmark: %d cores, JVM max heap %d MB, median of %d runs (sizes interleaved, after untimed warm-up runs)%n%n",
        Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20, repeats));
    out.append("| input rows | generate s (rows/s) | split s (rows/s) | features s (rows/s) | split + features s | µs per input row | JIT s | GC s | peak heap MB |\n");
    out.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    SizeResult largest = results.get(results.size() - 1);
    double largestPerRow = perRowMicros(largest);
    for (SizeResult r : results) {
      double split = median(r.split);
      double features = median(r.features);
      long peak = Math.max(r.generate.peakHeapBytes,
          Math.max(r.split.stream().mapToLong(Step::peakHeapBytes).max().orElse(0),
              r.features.stream().mapToLong(Step::peakHeapBytes).max().orElse(0)));
      out.append(String.format(Locale.ROOT, "| %,d | %.1f (%,.0f) | %.1f (%,.0f) | %.1f (%,.0f) | %.1f | %.1f | %.1f | %.1f | %d |%n",
          r.rows, r.generate.seconds, r.rows / r.generate.seconds, split, r.rows / split,
          features, r.modellingRows / features, split + features, perRowMicros(r),
          medianOf(r.split, Step::jitSeconds) + medianOf(r.features, Step::jitSeconds),
          medianOf(r.split, Step::gcSeconds) + medianOf(r.features, Step::gcSeconds), peak >> 20));
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
    return medianOf(steps, Step::seconds);
  }

  private static double medianOf(List<Step> steps, ToDoubleFunction<Step> figure) {
    double[] s = steps.stream().mapToDouble(figure).sorted().toArray();
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  private static void log(String line) {
    System.out.println("bench-data: " + line);
  }
}

package org.healthpredict.bench;

import static org.apache.spark.sql.functions.col;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.healthpredict.core.data.RawReader;
import org.healthpredict.core.data.RawSchema;
import org.healthpredict.core.data.synthetic.DriftSpec;
import org.healthpredict.core.data.synthetic.GeneratorFit;
import org.healthpredict.core.data.synthetic.GeneratorModel;
import org.healthpredict.core.data.synthetic.SyntheticEncounters;
import org.healthpredict.core.data.synthetic.SyntheticRows;
import org.healthpredict.core.data.synthetic.SyntheticSource;
import org.healthpredict.core.drift.DriftOptions;
import org.healthpredict.core.drift.DriftReport;
import org.healthpredict.core.drift.DriftRunner;
import org.healthpredict.core.drift.DriftTest;
import org.healthpredict.core.drift.FeatureDrift;
import org.healthpredict.core.features.FeatureFit;
import org.healthpredict.core.features.FeaturePipeline;
import org.healthpredict.core.features.ModelFamily;
import org.healthpredict.core.scoring.BatchScorer;
import org.healthpredict.core.spark.SparkSessions;
import org.healthpredict.core.split.EncounterSplitter;
import org.healthpredict.core.training.Classifiers;

/**
 * `make bench-drift-detection`: how soon `drift` sees a scheduled drift, and how often it cries wolf.
 *
 * <p>For every spec of conf/drift/ and for drift-free runs of several seeds, it generates encounters
 * with the fitted generator, takes the oldest 20% as the reference (as `split` does), fits an untuned
 * LR on it as the champion, and checks each batch of the rest in encounter order, under the default
 * rules (Evidently's preset) and under PSI for every feature. Every report computes each feature's PSI
 * beside its default test, so the PSI verdicts (PSI at or above 0.1, the PSI test's default) are read
 * from the same report. A batch alarms on data set, prediction or performance drift. The delay is
 * counted in batches from the one holding the onset (0: that batch alarms); false alarms are alarms
 * before it.
 *
 * <p>Arguments: {@code [rows=50000] [batch=5000] [driftFreeRuns=20] [workDir=out/bench-drift-detection]}.
 */
public final class DriftDetectionBenchmark {

  private static final double INITIAL_SHARE = 0.2;
  /** Share of the reference the champion is fitted on; the rest is its performance reference. */
  private static final double CHAMPION_TRAIN_SHARE = 0.7;

  /** One batch's verdict under one rule set. */
  private record Verdict(boolean alarm, boolean datasetDrift, boolean prediction, boolean performance,
      List<String> driftedFeatures) {}

  /** One generated run: its spec (null: no drift) and the verdicts per rule set, batch by batch. */
  private record RunResult(String scenario, long seed, DriftSpec spec, int onsetBatch,
      Map<String, List<Verdict>> verdicts) {}

  public static void main(String[] args) throws Exception {
    long rows = args.length > 0 ? Long.parseLong(args[0]) : 50_000;
    long batch = args.length > 1 ? Long.parseLong(args[1]) : 5_000;
    int driftFree = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    Path work = Path.of(args.length > 3 ? args[3] : "out/bench-drift-detection").toAbsolutePath();
    Files.createDirectories(work);
    SparkSession spark = SparkSessions.getOrCreate("health-predict bench-drift-detection");
    String source = Path.of("data/sample/diabetic_data_sample.csv").toAbsolutePath().toUri().toString();
    GeneratorModel generator = GeneratorFit.fit(source, SyntheticSource.load(spark, source).rows(), l -> { });
    Path generatorFile = work.resolve("_generator.json");
    Files.writeString(generatorFile, generator.toJson(), StandardCharsets.UTF_8);

    List<RunResult> results = new ArrayList<>();
    List<Path> specs;
    try (Stream<Path> files = Files.list(Path.of("conf/drift"))) {
      specs = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    }
    long started = System.nanoTime();
    for (Path file : specs) {
      DriftSpec spec = DriftSpec.parse(Files.readString(file), file.toString());
      results.add(run(spark, work, generatorFile, spec.name(), spec, 42, rows, batch));
      log(summary(results.get(results.size() - 1)));
    }
    for (int seed = 1; seed <= driftFree; seed++) {
      results.add(run(spark, work, generatorFile, "none", null, 1000 + seed, rows, batch));
      log(summary(results.get(results.size() - 1)));
    }
    String report = report(results, rows, batch, (System.nanoTime() - started) / 1e9);
    System.out.println(report);
    Files.writeString(work.resolve("drift-detection.md"), report, StandardCharsets.UTF_8);
    log("report written to " + work.resolve("drift-detection.md"));
    spark.stop();
  }

  private static RunResult run(SparkSession spark, Path work, Path generatorFile, String scenario, DriftSpec spec,
      long seed, long rows, long batch) {
    Path dir = work.resolve(scenario + "-seed" + seed);
    String raw = dir.resolve("raw").toUri().toString();
    SyntheticEncounters.Options options = SyntheticEncounters.Options.fitted(rows, seed, 0)
        .withGenerator(generatorFile.toUri().toString());
    new SyntheticEncounters(spark, l -> { }).generate(null, raw, spec == null ? options : options.withDrift(spec));
    Dataset<Row> typed = RawReader.read(spark, raw).accepted().filter(functions.not(EncounterSplitter.terminal()))
        .withColumn("index", col(RawSchema.ENCOUNTER_ID).minus(SyntheticRows.ENCOUNTER_ID_BASE));
    long initialEnd = Math.round(INITIAL_SHARE * rows);
    Dataset<Row> reference = typed.filter(col("index").lt(initialEnd)).drop("index");
    String referenceUri = write(reference, dir.resolve("reference"));
    long trainEnd = Math.round(CHAMPION_TRAIN_SHARE * initialEnd);
    PipelineModel champion = FeatureFit.fit(FeaturePipeline.pipeline(ModelFamily.LR, Classifiers.create("lr", Map.of(), 42)),
        spark.read().parquet(referenceUri).filter(col(RawSchema.ENCOUNTER_ID).lt(SyntheticRows.ENCOUNTER_ID_BASE + trainEnd)));
    String performanceUri = write(spark.read().parquet(referenceUri)
        .filter(col(RawSchema.ENCOUNTER_ID).geq(SyntheticRows.ENCOUNTER_ID_BASE + trainEnd)), dir.resolve("holdout"));
    DriftRunner.Model model = new DriftRunner.Model("bench:lr-on-reference",
        new BatchScorer.ScoringModel(champion, 0.5, "bench-champion", "1"));

    int batches = (int) ((rows - initialEnd + batch - 1) / batch);
    List<String> batchUris = new ArrayList<>();
    for (int b = 0; b < batches; b++) {
      long from = initialEnd + b * batch;
      batchUris.add(write(typed.filter(col("index").geq(from).and(col("index").lt(from + batch))).drop("index"),
          dir.resolve(String.format(Locale.ROOT, "batch-%05d", b + 1))));
    }
    DriftRunner runner = new DriftRunner(spark, l -> { });
    Map<String, List<Verdict>> verdicts = new LinkedHashMap<>();
    verdicts.put("defaults", new ArrayList<>());
    verdicts.put("psi", new ArrayList<>());
    for (int b = 0; b < batches; b++) {
      DriftReport report = runner.run(new DriftRunner.Inputs(referenceUri, batchUris.get(b), performanceUri),
          Optional.of(model), DriftOptions.EVIDENTLY_DEFAULTS,
          dir.resolve("report-" + (b + 1)).toUri().toString()).report();
      verdicts.get("defaults").add(new Verdict(report.status().equals(DriftReport.DRIFT_DETECTED), report.datasetDrift(),
          report.predictionDrift(), report.performanceDrift(),
          report.features().stream().filter(FeatureDrift::drifted).map(f -> f.feature().name()).toList()));
      verdicts.get("psi").add(psiVerdict(report));
    }
    int onsetBatch = spec == null ? -1 : (int) ((spec.onsetIndex(rows) - initialEnd) / batch);
    return new RunResult(scenario, seed, spec, onsetBatch, verdicts);
  }

  /** The verdict had every feature (and the prediction) been tested by PSI at its default threshold. */
  private static Verdict psiVerdict(DriftReport report) {
    double threshold = DriftTest.PSI.defaultThreshold();
    List<FeatureDrift> tested = report.features().stream().filter(FeatureDrift::tested).toList();
    List<String> drifted = tested.stream().filter(f -> DriftTest.PSI.drifted(f.psi(), threshold))
        .map(f -> f.feature().name()).toList();
    boolean dataset = !tested.isEmpty() && (double) drifted.size() / tested.size() >= report.options().driftShare();
    boolean prediction = report.prediction() != null && DriftTest.PSI.drifted(report.prediction().psi(), threshold);
    return new Verdict(dataset || prediction || report.performanceDrift(), dataset, prediction,
        report.performanceDrift(), drifted);
  }

  private static String write(Dataset<Row> rows, Path dir) {
    String uri = dir.toUri().toString();
    rows.write().mode("overwrite").parquet(uri);
    return uri;
  }

  private static String summary(RunResult r) {
    StringBuilder s = new StringBuilder(r.scenario + " seed " + r.seed + ":");
    r.verdicts.forEach((rules, list) -> s.append(" ").append(rules).append(" ").append(alarms(list)));
    return s.toString();
  }

  /** One character per batch: D data set, P prediction, Q quality (performance), . none. */
  private static String alarms(List<Verdict> list) {
    StringBuilder s = new StringBuilder();
    for (Verdict v : list) {
      s.append(v.datasetDrift ? 'D' : v.prediction ? 'P' : v.performance ? 'Q' : '.');
    }
    return s.toString();
  }

  private static String report(List<RunResult> results, long rows, long batch, double seconds) {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "Drift detection: %,d generated rows per run, reference the oldest 20%%, "
            + "batches of %,d; %d cores; %.0f s in all%n%n", rows, batch, Runtime.getRuntime().availableProcessors(),
        seconds));
    out.append("Batches: D data set drift, P prediction drift, Q performance drift, . no alarm; | marks the onset.\n\n");
    out.append("| drift | kind | rules | batches | delay (batches after onset) | false alarms before onset "
        + "| drifted column flagged from batch |\n|---|---|---|---|---:|---:|---|\n");
    for (RunResult r : results) {
      if (r.spec == null) {
        continue;
      }
      for (Map.Entry<String, List<Verdict>> e : r.verdicts.entrySet()) {
        List<Verdict> list = e.getValue();
        String marks = alarms(list);
        int delay = -1;
        int falseAlarms = 0;
        for (int b = 0; b < list.size(); b++) {
          if (b < r.onsetBatch && list.get(b).alarm) {
            falseAlarms++;
          }
          if (b >= r.onsetBatch && delay < 0 && list.get(b).alarm) {
            delay = b - r.onsetBatch;
          }
        }
        out.append(String.format(Locale.ROOT, "| %s | %s | %s | `%s|%s` | %s | %d | %s |%n", r.scenario,
            r.spec.kind().name().toLowerCase(Locale.ROOT), e.getKey(), marks.substring(0, r.onsetBatch),
            marks.substring(r.onsetBatch), delay < 0 ? "not detected" : Integer.toString(delay), falseAlarms,
            columnFlagged(r, list)));
      }
    }
    out.append("\n| drift-free runs | rules | batches | batches alarmed | runs with an alarm | batches with any feature "
        + "flagged |\n|---|---|---:|---:|---:|---:|\n");
    for (String rules : List.of("defaults", "psi")) {
      long runs = 0;
      long batches = 0;
      long alarmed = 0;
      long runsAlarmed = 0;
      long anyFeature = 0;
      for (RunResult r : results) {
        if (r.spec != null) {
          continue;
        }
        runs++;
        List<Verdict> list = r.verdicts.get(rules);
        batches += list.size();
        long a = list.stream().filter(Verdict::alarm).count();
        alarmed += a;
        runsAlarmed += a > 0 ? 1 : 0;
        anyFeature += list.stream().filter(v -> !v.driftedFeatures.isEmpty()).count();
      }
      out.append(String.format(Locale.ROOT, "| %d seeds | %s | %d | %d (%.1f%%) | %d | %d |%n", runs, rules, batches,
          alarmed, batches == 0 ? 0 : 100.0 * alarmed / batches, runsAlarmed, anyFeature));
    }
    return out.toString();
  }

  /** For a covariate drift: the first batch (1-based) whose report flags a changed column itself. */
  private static String columnFlagged(RunResult r, List<Verdict> list) {
    if (r.spec.covariate().isEmpty()) {
      return "(no column changes)";
    }
    List<String> columns = r.spec.covariate().stream().map(DriftSpec.Change::column).toList();
    for (int b = 0; b < list.size(); b++) {
      if (list.get(b).driftedFeatures.stream().anyMatch(columns::contains)) {
        return (b + 1) + " (onset in " + (r.onsetBatch + 1) + ")";
      }
    }
    return "never";
  }

  private static void log(String line) {
    System.out.println("bench-drift-detection: " + line);
  }
}

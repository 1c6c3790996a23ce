package org.healthpredict.serving.scoring;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.classification.RandomForestClassifier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.healthpredict.core.features.FeaturePipeline;
import org.healthpredict.core.features.ModelFamily;
import org.healthpredict.core.testing.SampleData;
import org.healthpredict.core.testing.SampleSplit;
import org.healthpredict.core.testing.TestSpark;
import org.healthpredict.core.training.Classifiers;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * The harness behind {@code make bench-serving-jmh}: fits the benchmark's models once (each family
 * with the project's default hyperparameters on the sample split's train part, and a reference
 * forest, 100 trees of depth 8 on the whole sample), saves them with the test
 * encounters, runs {@link RowScorerBenchmark} and prints microseconds per record with Spark's
 * figure from the same run and the ratio. Usage: {@code RowScorerBench <output dir>}.
 */
public final class RowScorerBench {

  static final String RECORDS = "records";
  private static final long SEED = 42;

  private RowScorerBench() {}

  public static void main(String[] args) throws IOException, RunnerException {
    Path out = Path.of(args.length > 0 ? args[0] : "serving/target/bench").toAbsolutePath();
    Path models = out.resolve("models");
    if (!Files.exists(models.resolve(RECORDS))) {
      prepare(models);
    }
    Collection<RunResult> results = new Runner(new OptionsBuilder()
        .include(RowScorerBenchmark.class.getName())
        .param("models", models.toString())
        .result(out.resolve("row-scorer-jmh.json").toString())
        .resultFormat(ResultFormatType.JSON)
        .build()).run();
    String summary = summary(results);
    System.out.print(summary);
    Files.writeString(out.resolve("row-scorer-jmh.txt"), summary);
  }

  private static void prepare(Path models) throws IOException {
    SparkSession spark = TestSpark.session();
    String split = SampleSplit.uri();
    Dataset<Row> train = Encounters.part(spark, split, "train");
    for (ModelFamily family : ModelFamily.values()) {
      String name = family.name().toLowerCase(Locale.ROOT);
      System.out.println("bench-serving-jmh: fitting " + name + " (default hyperparameters) on the sample split");
      save(FeaturePipeline.pipeline(family, Classifiers.create(family, Map.of(), SEED)).fit(train), models, name);
    }
    System.out.println("bench-serving-jmh: fitting the reference forest (100 trees, depth 8) on the whole sample");
    RandomForestClassifier reference = new RandomForestClassifier().setNumTrees(100).setMaxDepth(8).setSeed(SEED);
    save(FeaturePipeline.pipeline(ModelFamily.RF, reference).fit(SampleData.typed()), models, "reference");
    Encounters.part(spark, split, "test").write().mode("overwrite").parquet(models.resolve(RECORDS).toString());
    spark.stop();
  }

  private static void save(PipelineModel model, Path models, String name) throws IOException {
    model.write().overwrite().save(models.resolve(name).toString());
  }

  /** One line per model: row scorer, Spark's predictProbability, and the ratio. */
  static String summary(Collection<RunResult> results) {
    Map<String, Map<String, String>> cells = new LinkedHashMap<>();
    Map<String, Map<String, Double>> scores = new LinkedHashMap<>();
    for (RunResult run : results) {
      String model = run.getParams().getParam("model");
      String method = run.getParams().getBenchmark().replaceAll(".*\\.", "");
      var r = run.getPrimaryResult();
      cells.computeIfAbsent(model, k -> new LinkedHashMap<>()).put(method,
          String.format(Locale.ROOT, "%.3f ± %.3f", r.getScore(), r.getScoreError()));
      scores.computeIfAbsent(model, k -> new LinkedHashMap<>()).put(method, r.getScore());
    }
    List<String> lines = new ArrayList<>();
    lines.add(String.format(Locale.ROOT, "Row scorer, µs per record (JMH average time ± 99.9%% error), %d cores, %s",
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version")));
    lines.add(String.format("| %-9s | %-18s | %-25s | %-12s |", "model", "row scorer", "Spark predictProbability",
        "Spark / row"));
    lines.add("|-----------|--------------------|---------------------------|--------------|");
    for (String model : cells.keySet()) {
      Map<String, String> c = cells.get(model);
      Map<String, Double> s = scores.get(model);
      double ratio = s.getOrDefault("sparkPredictProbability", Double.NaN) / s.getOrDefault("rowScorer", Double.NaN);
      lines.add(String.format(Locale.ROOT, "| %-9s | %-18s | %-25s | %-12s |", model, c.get("rowScorer"),
          c.get("sparkPredictProbability"), String.format(Locale.ROOT, ratio < 1 ? "%.2f×" : "%.1f×", ratio)));
    }
    return String.join("\n", lines) + "\n";
  }
}

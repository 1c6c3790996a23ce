package org.healthpredict.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.ml.classification.ProbabilisticClassificationModel;
import org.apache.spark.ml.classification.ProbabilisticClassifier;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.tuning.CrossValidator;
import org.apache.spark.ml.tuning.CrossValidatorModel;
import org.healthpredict.core.sweep.PatientFolds;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.healthpredict.core.data.RawSchema;
import org.healthpredict.core.evaluation.BinaryEvaluation;
import org.healthpredict.core.data.synthetic.GeneratedOracle;
import org.healthpredict.core.evaluation.BinaryMetrics;
import org.healthpredict.core.spark.SparkSessions;
import org.healthpredict.core.split.SplitParts;
import org.healthpredict.core.sweep.FeaturisedData;
import org.healthpredict.core.sweep.SweepMetric;
import org.healthpredict.core.sweep.SweepRunner;
import org.healthpredict.core.sweep.SweepSettings;
import org.healthpredict.core.tracking.Tracking;
import org.healthpredict.core.training.Classifiers;
import org.healthpredict.core.tuning.AshaConfig;
import org.healthpredict.core.tuning.FoldSchedule;
import org.healthpredict.core.tuning.WinnerRule;
import org.healthpredict.core.tuning.FamilySpace;
import org.healthpredict.core.tuning.Job;
import org.healthpredict.core.tuning.RandomSampler;
import org.healthpredict.core.tuning.SearchSpace;
import org.healthpredict.core.tuning.TrialConfig;
import org.healthpredict.core.tuning.TrialState;
import org.healthpredict.core.tuning.TrialStatus;

/**
 * `make bench-hpo`: on one split and one set of sampled configurations, runs MLlib's own
 * CrossValidator grid (every configuration at full resource R, one CV per family) and our
 * ASHA sweep side by side, then ASHA alone at concurrency 1 and 2 for throughput, and prints best
 * validation ROC-AUC, test ROC-AUC of the chosen model, wall times and ratios.
 *
 * <p>Arguments: {@code splitUri trackingUri [configs=27] [seed=42] [throughputTrials=9]
 * [workDir=out/bench] [space=default] [concurrency=2] [report=hpo-benchmark.md]}; throughputTrials 0 skips
 * the throughput runs.
 */
public final class HpoBenchmark {

  /** Patient folds of both contenders. */
  private static final int FOLDS = 5;

  /**
   * One contender's result. {@code bestOnOurValidation}: its chosen configuration fitted on our train
   * part and scored on our validation part, as ASHA's trials are (for ASHA, its best trial's result),
   * so both sides are compared on the same rows.
   */
  private record Contender(String name, double seconds, double bestValidation, String bestConfig,
      BinaryMetrics onValidation, BinaryMetrics onTest, int fits, double bestOnOurValidation) {}

  private record Throughput(int concurrency, int trials, int finished, double trialPhaseSeconds, double totalSeconds) {
    double perMinute() {
      return finished / (trialPhaseSeconds / 60);
    }
  }

  public static void main(String[] args) throws Exception {
    String split = args[0];
    String trackingUri = args[1];
    int configs = args.length > 2 ? Integer.parseInt(args[2]) : 27;
    long seed = args.length > 3 ? Long.parseLong(args[3]) : 42L;
    int throughputTrials = args.length > 4 ? Integer.parseInt(args[4]) : 9;
    Path work = Path.of(args.length > 5 ? args[5] : "out/bench").toAbsolutePath();
    String spaceArg = args.length > 6 ? args[6] : "default";
    int concurrency = args.length > 7 ? Integer.parseInt(args[7]) : 2;
    String reportName = args.length > 8 ? args[8] : "hpo-benchmark.md";
    String oracleUri = args.length > 9 && !args[9].isBlank() ? args[9] : null;
    Files.createDirectories(work);
    SearchSpace space = spaceArg.equals("default") ? SearchSpace.defaultSpace() : SearchSpace.load(Path.of(spaceArg));
    String spaceText = spaceArg.equals("default") ? defaultSpaceText() : Files.readString(Path.of(spaceArg));
    SparkSession spark = SparkSessions.getOrCreate("health-predict bench-hpo");
    BinaryMetrics oracle = oracleUri == null ? null
        : GeneratedOracle.score(spark, SplitParts.read(spark, split, "test"), oracleUri);
    if (oracle != null) {
      log(String.format(Locale.ROOT, "oracle on the test rows: ROC-AUC %.4f, PR-AUC %.4f", oracle.rocAuc(), oracle.prAuc()));
    }

    List<TrialConfig> sampled = new ArrayList<>();
    RandomSampler sampler = new RandomSampler(space, seed);
    for (int i = 0; i < configs; i++) {
      sampled.add(sampler.next());
    }
    log(configs + " configurations (seed " + seed + "): " + familyCounts(sampled));

    Contender grid = grid(spark, split, space, sampled, seed, concurrency);
    log(String.format(Locale.ROOT, "grid done: %.1f s, best CV validation ROC-AUC %.4f, test ROC-AUC %.4f",
        grid.seconds, grid.bestValidation, grid.onTest.rocAuc()));
    String partial = report(split, space, spaceArg, configs, seed, concurrency, oracle, grid, null, "", List.of());
    Files.writeString(work.resolve(reportName), partial, StandardCharsets.UTF_8);

    try (Tracking tracking = Tracking.connect(trackingUri, spark.sparkContext().hadoopConfiguration())) {
      Timed asha = sweep(spark, tracking, split, space, spaceText, configs, seed, concurrency, "asha-vs-grid");
      Contender ashaResult = new Contender("ASHA (SweepRunner)", asha.totalSeconds, asha.outcome.best().metric(),
          asha.outcome.trials().get(asha.outcome.best().trialId()).config().describe(),
          asha.outcome.model().crossValidated(), asha.outcome.model().test(), -1, asha.outcome.best().metric());
      String rungs = rungCounts(asha.outcome.trials());
      log(String.format(Locale.ROOT, "ASHA done: %.1f s, best validation ROC-AUC %.4f, test ROC-AUC %.4f, results per rung %s",
          asha.totalSeconds, ashaResult.bestValidation, ashaResult.onTest.rocAuc(), rungs));
      List<Throughput> throughput = new ArrayList<>();
      String report = report(split, space, spaceArg, configs, seed, concurrency, oracle, grid, ashaResult, rungs, throughput);
      Files.writeString(work.resolve(reportName), report, StandardCharsets.UTF_8);
      for (int c : throughputTrials > 0 ? new int[] {1, 2} : new int[0]) {
        Timed t = sweep(spark, tracking, split, space, spaceText, throughputTrials, seed, c, "throughput-c" + c);
        int finished = (int) t.outcome.trials().stream().filter(s -> s.state().terminal()).count();
        throughput.add(new Throughput(c, throughputTrials, finished, t.trialPhaseSeconds, t.totalSeconds));
        log(String.format(Locale.ROOT, "throughput at concurrency %d: %d trials in %.1f s of trial phase → %.2f trials/min",
            c, finished, t.trialPhaseSeconds, throughput.get(throughput.size() - 1).perMinute()));
        report = report(split, space, spaceArg, configs, seed, concurrency, oracle, grid, ashaResult, rungs, throughput);
        Files.writeString(work.resolve(reportName), report, StandardCharsets.UTF_8);
      }
      System.out.println(report);
      log("report written to " + work.resolve(reportName));
    }
    spark.stop();
  }

  /**
   * MLlib's grid: one TrainValidationSplit per family over the cached featurised train ∪ validation,
   * every configuration at its family's R; the winner (by CV's validation metric) is CV's refitted
   * bestModel, scored with BinaryEvaluation on our validation and test parts.
   */
  @SuppressWarnings({"rawtypes", "unchecked"})
  private static Contender grid(SparkSession spark, String split, SearchSpace space, List<TrialConfig> sampled,
      long seed, int parallelism) {
    Dataset<Row> rawTrain = SplitParts.read(spark, split, "train");
    Dataset<Row> rawValidation = SplitParts.read(spark, split, "validation");
    long start = System.nanoTime();
    try (FeaturisedData data = FeaturisedData.prepare(rawTrain.unionByName(rawValidation), FOLDS, seed)) {
      Dataset<Row> all = data.all();
      BinaryClassificationEvaluator evaluator = new BinaryClassificationEvaluator()
          .setLabelCol(RawSchema.TARGET).setMetricName("areaUnderROC");
      Map<String, List<TrialConfig>> byFamily = new LinkedHashMap<>();
      sampled.forEach(c -> byFamily.computeIfAbsent(c.family(), f -> new ArrayList<>()).add(c));

      double best = Double.NEGATIVE_INFINITY;
      String bestConfig = null;
      String bestFamily = null;
      ProbabilisticClassificationModel<?, ?> bestModel = null;
      for (Map.Entry<String, List<TrialConfig>> e : byFamily.entrySet()) {
        String family = e.getKey();
        FamilySpace fs = space.family(family);
        ProbabilisticClassifier<?, ?, ?> estimator = Classifiers.create(family, Map.of(), seed);
        estimator.set(estimator.getParam("featuresCol"), FeaturisedData.featuresColumn(family));
        List<ParamMap> maps = new ArrayList<>();
        for (TrialConfig config : e.getValue()) {
          Map<String, Object> params = new Job(0, config, 0, fs.resource().max(), fs.resource()).classifierParams();
          // Classifiers does the type coercion; its values are then keyed by the CV estimator's params.
          ProbabilisticClassifier<?, ?, ?> typed = Classifiers.create(family, params, seed);
          ParamMap map = new ParamMap();
          for (String name : params.keySet()) {
            Param p = estimator.getParam(name);
            map.put(p, typed.getOrDefault(typed.getParam(name)));
          }
          maps.add(map);
        }
        long t0 = System.nanoTime();
        // The sweep's own patient folds, so the grid's cross-validated means are on the same rows as ASHA's top rung.
        CrossValidatorModel tvs = new CrossValidator().setEstimator(estimator)
            .setEstimatorParamMaps(maps.toArray(ParamMap[]::new)).setEvaluator(evaluator)
            .setNumFolds(FOLDS).setFoldCol(PatientFolds.FOLD).setParallelism(parallelism).setSeed(seed).fit(all);
        double[] metrics = tvs.avgMetrics();
        int argmax = 0;
        for (int i = 1; i < metrics.length; i++) {
          if (metrics[i] > metrics[argmax]) {
            argmax = i;
          }
        }
        log(String.format(Locale.ROOT, "CV %s: %d configurations in %.1f s, best validation ROC-AUC %.4f (%s)",
            family, maps.size(), (System.nanoTime() - t0) / 1e9, metrics[argmax], e.getValue().get(argmax).describe()));
        if (metrics[argmax] > best) {
          best = metrics[argmax];
          bestConfig = e.getValue().get(argmax).describe();
          bestFamily = family;
          bestModel = (ProbabilisticClassificationModel<?, ?>) tvs.bestModel();
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      log("grid's chosen model (CV bestModel, refitted on train ∪ validation): " + bestModel);
      var model = data.assemble(bestFamily, bestModel);
      BinaryMetrics onValidation = BinaryEvaluation.evaluate(model.transform(rawValidation), RawSchema.TARGET,
          bestModel.getProbabilityCol());
      BinaryMetrics onTest = BinaryEvaluation.evaluate(model.transform(SplitParts.read(spark, split, "test")),
          RawSchema.TARGET, bestModel.getProbabilityCol());
      // The grid's folds are the sweep's, so its cross-validated best is already on the same rows.
      double bestOnOurValidation = best;
      return new Contender("MLlib CrossValidator grid", seconds, best, bestConfig, onValidation, onTest,
          sampled.size(), bestOnOurValidation);
    }
  }

  private record Timed(SweepRunner.Outcome outcome, double totalSeconds, double trialPhaseSeconds) {}

  /** One ASHA sweep; the trial phase runs from "features … cached" to the "best:" line of its progress. */
  private static Timed sweep(SparkSession spark, Tracking tracking, String split, SearchSpace space, String spaceText,
      int trials, long seed, int concurrent, String runName) {
    // Random draws without starting points: the sweep then trains exactly the configurations the grid does.
    SweepSettings settings = new SweepSettings(SweepMetric.ROC_AUC, true, 3, 1, AshaConfig.Promotion.PAPER, trials, null,
        concurrent, seed, new FoldSchedule(FOLDS, FoldSchedule.Policy.GROW), SweepSettings.SamplerKind.RANDOM, 0, false,
        WinnerRule.BEST, null);
    long[] marks = new long[2];
    long start = System.nanoTime();
    SweepRunner.Outcome o = new SweepRunner(spark, line -> {
      if (line.startsWith("features fitted once")) {
        marks[0] = System.nanoTime();
      } else if (line.startsWith("winner ")) {
        marks[1] = System.nanoTime();
      }
      if (!line.startsWith("status:")) {
        System.out.println("bench-hpo [" + runName + "]: " + line);
      }
    }).run(split, space, spaceText, settings, tracking, "health-predict-bench-hpo", runName, null);
    double total = (System.nanoTime() - start) / 1e9;
    return new Timed(o, total, (marks[1] - marks[0]) / 1e9);
  }

  private static String report(String split, SearchSpace space, String spaceArg, int configs, long seed,
      int concurrency, BinaryMetrics oracle, Contender grid, Contender asha, String ashaRungs,
      List<Throughput> throughput) {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "HPO benchmark: %d cores, JVM max heap %d MB; split %s; space %s; "
            + "%d configurations (seed %d); concurrency / CV parallelism %d%n%n",
        Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20, split, spaceArg,
        configs, seed, concurrency));
    out.append("| figure | ASHA (SweepRunner, η=3) | peer: MLlib CrossValidator grid | ratio / difference |\n");
    out.append("|---|---:|---:|---:|\n");
    if (asha == null) {
      out.append(String.format(Locale.ROOT, "| wall time s | (not run yet) | %.1f | |%n", grid.seconds));
      out.append(String.format(Locale.ROOT, "| best validation ROC-AUC (own selection) | | %.4f | |%n", grid.bestValidation));
      out.append(String.format(Locale.ROOT, "| chosen model: ROC-AUC on our validation | | %.4f | |%n", grid.onValidation.rocAuc()));
      out.append(String.format(Locale.ROOT, "| chosen model: test ROC-AUC | | %.4f | |%n", grid.onTest.rocAuc()));
      if (oracle != null) {
        out.append(String.format(Locale.ROOT, "| test ROC-AUC as a fraction of the oracle's (%.4f) | | %.3f | |%n",
            oracle.rocAuc(), grid.onTest.rocAuc() / oracle.rocAuc()));
      }
    } else {
      out.append(String.format(Locale.ROOT, "| wall time s | %.1f | %.1f | ASHA/grid = %.2f (target ≤ 0.30) |%n",
          asha.seconds, grid.seconds, asha.seconds / grid.seconds));
      out.append(String.format(Locale.ROOT, "| best validation ROC-AUC, same rows (ours; each chosen configuration "
              + "fitted on our train part) | %.4f | %.4f | %+.4f (target ≥ −0.005) |%n",
          asha.bestOnOurValidation, grid.bestOnOurValidation, asha.bestOnOurValidation - grid.bestOnOurValidation));
      out.append(String.format(Locale.ROOT, "| best validation ROC-AUC, each on its own validation rows | %.4f | %.4f | %+.4f |%n",
          asha.bestValidation, grid.bestValidation, asha.bestValidation - grid.bestValidation));
      out.append(String.format(Locale.ROOT, "| chosen model: ROC-AUC on our validation | %.4f | %.4f | %+.4f |%n",
          asha.onValidation.rocAuc(), grid.onValidation.rocAuc(), asha.onValidation.rocAuc() - grid.onValidation.rocAuc()));
      out.append(String.format(Locale.ROOT, "| chosen model: test ROC-AUC | %.4f | %.4f | %+.4f |%n",
          asha.onTest.rocAuc(), grid.onTest.rocAuc(), asha.onTest.rocAuc() - grid.onTest.rocAuc()));
      out.append(String.format(Locale.ROOT, "| chosen model: test PR-AUC | %.4f | %.4f | %+.4f |%n",
          asha.onTest.prAuc(), grid.onTest.prAuc(), asha.onTest.prAuc() - grid.onTest.prAuc()));
      if (oracle != null) {
        out.append(String.format(Locale.ROOT, "| test ROC-AUC as a fraction of the oracle's (%.4f) | %.3f | %.3f | |%n",
            oracle.rocAuc(), asha.onTest.rocAuc() / oracle.rocAuc(), grid.onTest.rocAuc() / oracle.rocAuc()));
        out.append(String.format(Locale.ROOT, "| test PR-AUC as a fraction of the oracle's (%.4f) | %.3f | %.3f | |%n",
            oracle.prAuc(), asha.onTest.prAuc() / oracle.prAuc(), grid.onTest.prAuc() / oracle.prAuc()));
      }
      out.append(String.format(Locale.ROOT, "| chosen configuration | %s | %s | |%n", asha.bestConfig, grid.bestConfig));
      out.append(String.format(Locale.ROOT, "| results per rung (trainings) | %s | %d at R | |%n", ashaRungs, configs));
    }
    if (asha == null) {
      out.append(String.format(Locale.ROOT, "| chosen configuration | | %s | |%n", grid.bestConfig));
    }
    out.append("\nGrid: one CV per family over the cached featurised train ∪ validation (the sweep's " + FOLDS + " patient folds), every configuration at its family's R, areaUnderROC, wall time summed over families "
        + "(incl. featurising once and CV's refit of each family's best on train ∪ validation). ASHA: wall time of "
        + "SweepRunner.run (featurising, trials, MLflow logging, the winner's own model at R, test scoring and logging); its best validation "
        + "ROC-AUC is the scheduler's cross-validated mean at R on the same folds. Both chosen models are refitted on train ∪ "
        + "validation, so their 'on our validation' figures are optimistic; test ROC-AUC is the fair comparison.\n");
    if (!throughput.isEmpty()) {
      out.append("\n| ASHA throughput | max-trials | trials finished | trial phase s | sweep total s | trials/min | vs concurrency 1 |\n");
      out.append("|---|---:|---:|---:|---:|---:|---:|\n");
      double base = throughput.get(0).perMinute();
      for (Throughput t : throughput) {
        out.append(String.format(Locale.ROOT, "| concurrency %d | %d | %d | %.1f | %.1f | %.2f | %.2f× |%n",
            t.concurrency, t.trials, t.finished, t.trialPhaseSeconds, t.totalSeconds, t.perMinute(), t.perMinute() / base));
      }
      out.append("\nTrials finished = completed + stopped by ASHA; trial phase = features cached → last trial decided.\n");
    }
    return out.toString();
  }

  /**
   * How many results each rung got, e.g. 27/9/3/1: a trial reported every rung up to its last one,
   * except that a failed trial did not report the rung it failed at (one bracket, so all start at 0).
   */
  static String rungCounts(List<TrialStatus> trials) {
    int top = trials.stream().mapToInt(TrialStatus::rung).max().orElse(-1);
    StringBuilder out = new StringBuilder();
    for (int k = 0; k <= top; k++) {
      int rung = k;
      long n = trials.stream().filter(t -> t.rung() > rung || (t.rung() == rung && t.state() != TrialState.FAILED)).count();
      out.append(k == 0 ? "" : "/").append(n);
    }
    return out.toString();
  }

  private static String familyCounts(List<TrialConfig> sampled) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    sampled.forEach(c -> counts.merge(c.family(), 1, Integer::sum));
    return counts.toString();
  }

  private static String defaultSpaceText() throws java.io.IOException {
    try (var in = SearchSpace.class.getResourceAsStream(SearchSpace.DEFAULT_RESOURCE)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static void log(String line) {
    System.out.println("bench-hpo: " + line);
  }
}

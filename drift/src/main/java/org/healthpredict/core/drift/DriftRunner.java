package org.healthpredict.core.drift;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.healthpredict.core.scoring.BatchScorer;
import org.healthpredict.core.storage.AtomicOutput;
import org.healthpredict.core.storage.CommitMarker;
import org.healthpredict.core.storage.HadoopFiles;

/**
 * The drift job's work: compare a current batch of encounters with a reference, feature by feature
 * (raw and engineered), and — given a model — its predictions and, where labels exist, its quality;
 * then write {@code report.json} and {@code report.html} together, atomically, under the report URI.
 */
public final class DriftRunner {

  public static final String JSON_FILE = "report.json";
  public static final String HTML_FILE = "report.html";

  private final SparkSession spark;
  private final Consumer<String> progress;

  public DriftRunner(SparkSession spark, Consumer<String> progress) {
    this.spark = spark;
    this.progress = progress;
  }

  /**
   * What to compare.
   *
   * @param referenceUri typed encounters the model was built on (e.g. a split's initial/train)
   * @param currentUri the batch to check
   * @param performanceReferenceUri labelled rows the model did not train on, for its baseline quality;
   *     null to use the reference
   */
  public record Inputs(String referenceUri, String currentUri, String performanceReferenceUri) {}

  /** A model to check prediction and performance drift with, and the URI it was loaded from. */
  public record Model(String uri, BatchScorer.ScoringModel scoring) {}

  /** The report and what was written. */
  public record Outcome(DriftReport report, String json, String html) {}

  /** Compares the two inputs and writes both report files under {@code reportUri}, replacing what was there. */
  public Outcome run(Inputs inputs, Optional<Model> model, DriftOptions options, String reportUri) {
    DriftReport report = compare(read("reference", inputs.referenceUri()), read("current", inputs.currentUri()),
        inputs, model, options);
    String json = DriftReportJson.write(report);
    String html = DriftReportHtml.render(report);
    write(reportUri, json, html);
    return new Outcome(report, json, html);
  }

  /**
   * Writes the monitored features of both sides as the tests see them (raw and engineered, missing
   * values null) to {@code uri}/reference and {@code uri}/current, atomically: what another tool needs
   * to check a report feature by feature.
   */
  public void exportMonitored(Inputs inputs, String uri) {
    List<MonitoredFeature> features = MonitoredFeature.schemaFeatures();
    AtomicOutput output = AtomicOutput.begin(spark.sparkContext().hadoopConfiguration(), uri, "the monitored features");
    try {
      MonitoredData.prepare(read("reference", inputs.referenceUri()), features, null).write()
          .parquet(output.stagingChild("reference"));
      MonitoredData.prepare(read("current", inputs.currentUri()), features, null).write()
          .parquet(output.stagingChild("current"));
      output.commit();
    } catch (Exception e) { // Spark's Scala code throws checked exceptions (SparkException) undeclared
      throw output.failed(e);
    }
    progress.accept("monitored features of both sides written to " + uri);
  }

  /** The report for two data sets already read; {@code inputs} names them (and the performance reference). */
  public DriftReport compare(Dataset<Row> reference, Dataset<Row> current, Inputs inputs, Optional<Model> model,
      DriftOptions options) {
    List<MonitoredFeature> features = new ArrayList<>(MonitoredFeature.schemaFeatures());
    checkOverrides(options, features);
    BatchScorer.ScoringModel scoring = model.map(Model::scoring).orElse(null);
    Dataset<Row> ref = MonitoredData.prepare(reference, features, scoring);
    Dataset<Row> cur = MonitoredData.prepare(current, features, scoring);
    List<MonitoredFeature> counted = new ArrayList<>(features);
    if (scoring != null) {
      counted.add(MonitoredFeature.prediction());
      // Scoring is the expensive part; the counts and the quality metrics both read the scores.
      ref = ref.persist(StorageLevel.MEMORY_AND_DISK());
      cur = cur.persist(StorageLevel.MEMORY_AND_DISK());
    }
    try {
      progress.accept("counting the values of " + counted.size() + " columns on both sides");
      Map<String, FeatureDistribution> distributions = new DistributionAggregator().aggregate(ref, cur, counted);
      FeatureDistribution any = distributions.get(features.get(0).name());
      long referenceRows = any.reference().total() + any.referenceMissing();
      long currentRows = any.current().total() + any.currentMissing();
      if (referenceRows == 0 || currentRows == 0) {
        throw new IllegalArgumentException("the " + (currentRows == 0 ? "current data " + inputs.currentUri()
            : "reference " + inputs.referenceUri()) + " has no rows");
      }
      FeatureDriftCalculator calculator = new FeatureDriftCalculator(options);
      List<FeatureDrift> drifts = features.stream().map(f -> calculator.evaluate(f, distributions.get(f.name()))).toList();
      FeatureDrift prediction = scoring == null ? null
          : calculator.evaluate(MonitoredFeature.prediction(), distributions.get(MonitoredFeature.PREDICTION_NAME));
      List<String> notes = new ArrayList<>();
      PerformanceDrift performance = scoring == null ? null : performance(inputs, ref, cur, scoring, options, notes);
      return new DriftReport(Instant.now().toString(), new DriftReport.Data(inputs.referenceUri(), referenceRows),
          new DriftReport.Data(inputs.currentUri(), currentRows),
          model.map(m -> new DriftReport.Model(m.uri(), m.scoring().name(), m.scoring().version())).orElse(null),
          options, drifts, prediction, performance, notes);
    } finally {
      ref.unpersist();
      cur.unpersist();
    }
  }

  private PerformanceDrift performance(Inputs inputs, Dataset<Row> ref, Dataset<Row> cur,
      BatchScorer.ScoringModel scoring, DriftOptions options, List<String> notes) {
    if (!MonitoredData.hasLabels(cur)) {
      notes.add("performance not compared: the current data has no " + org.healthpredict.core.data.RawSchema.TARGET
          + " labels");
      return null;
    }
    Dataset<Row> baseline = ref;
    String baselineUri = inputs.referenceUri();
    if (inputs.performanceReferenceUri() != null && !inputs.performanceReferenceUri().equals(inputs.referenceUri())) {
      baselineUri = inputs.performanceReferenceUri();
      baseline = MonitoredData.prepare(read("performance reference", baselineUri), MonitoredFeature.schemaFeatures(),
          scoring);
    }
    if (!MonitoredData.hasLabels(baseline)) {
      notes.add("performance not compared: the performance reference " + baselineUri + " has no labels");
      return null;
    }
    progress.accept("measuring the model's quality on " + baselineUri + " and on the current batch");
    String label = org.healthpredict.core.data.RawSchema.TARGET;
    Optional<Map<String, Double>> before = PerformanceDrift.measure(baseline, label, MonitoredData.PROBABILITY,
        scoring.threshold());
    Optional<Map<String, Double>> now = PerformanceDrift.measure(cur, label, MonitoredData.PROBABILITY,
        scoring.threshold());
    if (before.isEmpty() || now.isEmpty()) {
      notes.add("performance not compared: the " + (before.isEmpty() ? "performance reference" : "current batch")
          + " holds a single class, so ROC-AUC and PR-AUC are undefined");
      return null;
    }
    if (baselineUri.equals(inputs.referenceUri())) {
      notes.add("performance baseline measured on the reference; if the model was trained on it, the baseline is "
          + "optimistic (pass a held-out performance reference, e.g. the split's initial/test)");
    }
    return PerformanceDrift.compare(before.get(), now.get(), options);
  }

  private Dataset<Row> read(String what, String uri) {
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    if (!HadoopFiles.exists(hadoop, uri)) {
      throw new IllegalArgumentException("the " + what + " data " + uri + " does not exist");
    }
    CommitMarker.requireComplete(hadoop, uri, "the " + what + " data");
    Dataset<Row> data = spark.read().parquet(uri);
    MonitoredData.requireRawColumns(data, "the " + what + " data", uri);
    return data;
  }

  private static void checkOverrides(DriftOptions options, List<MonitoredFeature> features) {
    List<String> names = features.stream().map(MonitoredFeature::name).toList();
    options.overrides().keySet().stream().filter(n -> !names.contains(n)).findFirst().ifPresent(n -> {
      throw new IllegalArgumentException("test override for unknown feature '" + n + "'; monitored features are "
          + names);
    });
    // A test that does not fit the feature's kind is refused by DriftOptions.choose, naming both.
    features.stream().filter(f -> options.overrides().containsKey(f.name()))
        .forEach(f -> options.choose(f.name(), f.kind(), 0, 0));
  }

  private void write(String reportUri, String json, String html) {
    AtomicOutput output = AtomicOutput.begin(spark.sparkContext().hadoopConfiguration(), reportUri, "the drift report");
    try {
      HadoopFiles.writeString(spark.sparkContext().hadoopConfiguration(), output.stagingChild(JSON_FILE), json);
      HadoopFiles.writeString(spark.sparkContext().hadoopConfiguration(), output.stagingChild(HTML_FILE), html);
      output.commit();
    } catch (Exception e) { // Spark's Scala code throws checked exceptions (SparkException) undeclared
      throw output.failed(e);
    }
  }
}

package org.healthpredict.core.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.healthpredict.core.data.RawSchema;
import org.healthpredict.core.features.FeaturePipeline;
import org.healthpredict.core.features.ModelFamily;
import org.healthpredict.core.scoring.BatchScorer;
import org.healthpredict.core.testing.SampleData;
import org.healthpredict.core.testing.TestSpark;
import org.healthpredict.core.training.Classifiers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report files a drift run writes, with a model: prediction and performance drift included. */
class DriftReportTest {

  private static final SparkSession spark = TestSpark.session();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path dir;
  private static String reference;
  private static String current;
  private static DriftRunner.Model model;

  @BeforeAll
  static void halvesAndAModel() {
    Dataset<Row>[] halves = SampleData.typed().randomSplit(new double[] {0.5, 0.5}, 7);
    reference = dir.resolve("reference").toUri().toString();
    current = dir.resolve("current").toUri().toString();
    halves[0].write().parquet(reference);
    halves[1].write().parquet(current);
    PipelineModel fitted = FeaturePipeline.pipeline(ModelFamily.LR,
        Classifiers.create(ModelFamily.LR, Map.of("maxIter", "20"), 42)).fit(halves[0]);
    model = new DriftRunner.Model("runs:/test/model", new BatchScorer.ScoringModel(fitted, 0.15, "TestModel", "3"));
  }

  @Test
  void writesJsonAndHtmlWithEveryFeaturePredictionAndPerformance() throws Exception {
    String out = dir.resolve("report").toUri().toString();
    List<String> progress = new ArrayList<>();
    DriftRunner.Outcome outcome = new DriftRunner(spark, progress::add).run(
        new DriftRunner.Inputs(reference, current, null), Optional.of(model), DriftOptions.EVIDENTLY_DEFAULTS, out);

    JsonNode json = JSON.readTree(Files.readString(dir.resolve("report").resolve(DriftRunner.JSON_FILE)));
    assertThat(json.at("/summary/status").asText()).isEqualTo(outcome.report().status());
    // The sample has no payer codes at all: that column is reported, untested, with the reason.
    int monitored = MonitoredFeature.schemaFeatures().size();
    assertThat(json.at("/summary/tested_features").asInt()).isEqualTo(monitored - 1);
    assertThat(feature(json, "payer_code").get("test").isNull()).isTrue();
    assertThat(feature(json, "payer_code").get("note").asText()).contains("no values in the reference");
    assertThat(json.at("/reference/rows").asLong() + json.at("/current/rows").asLong()).isEqualTo(SampleData.typed().count());
    assertThat(json.at("/model/version").asText()).isEqualTo("3");
    JsonNode first = json.at("/features/0");
    for (String field : List.of("name", "type", "test", "statistic", "p_value", "distance", "threshold", "drifted",
        "psi", "chart")) {
      assertThat(first.has(field)).as(field).isTrue();
    }
    JsonNode age = feature(json, "age_years");
    assertThat(age.get("type").asText()).isEqualTo("numerical");
    assertThat(age.get("test").asText()).isEqualTo("wasserstein");
    assertThat(age.get("p_value").isNull()).isTrue();
    assertThat(feature(json, "admission_type_id").get("type").asText()).isEqualTo("categorical");

    assertThat(json.at("/prediction/name").asText()).isEqualTo(MonitoredFeature.PREDICTION_NAME);
    assertThat(json.at("/prediction/test").asText()).isEqualTo("wasserstein");
    assertThat(json.at("/performance/current/rows").asDouble()).isEqualTo(json.at("/current/rows").asDouble());
    assertThat(json.at("/performance/reference/roc_auc").asDouble()).isBetween(0.5, 1.0);
    assertThat(json.at("/notes").toString()).contains("baseline measured on the reference");

    String html = Files.readString(dir.resolve("report").resolve(DriftRunner.HTML_FILE));
    assertThat(html).startsWith("<!DOCTYPE html>").doesNotContain("<script").doesNotContain("http://", "https://")
        .contains("<h2>Model</h2>", "performance drift", "readmission_probability");
    // The summary comes before the table, and every tested feature and the prediction has a chart.
    assertThat(html.indexOf("<header")).isLessThan(html.indexOf("Features, most drifted first"));
    assertThat(html.split("<svg ", -1).length - 1).isEqualTo(monitored - 1 + 1);
    assertThat(progress).anyMatch(l -> l.contains("counting the values of"));
  }

  @Test
  void featuresAreRankedByHowFarPastTheirThreshold() {
    DriftReport report = new DriftRunner(spark, line -> {}).compare(spark.read().parquet(reference),
        spark.read().parquet(current).filter("age IN ('[70-80)', '[80-90)')"),
        new DriftRunner.Inputs(reference, current, null), Optional.empty(), DriftOptions.EVIDENTLY_DEFAULTS);
    List<FeatureDrift> features = report.features();
    assertThat(features.get(0).drifted()).isTrue();
    for (int i = 1; i < features.size(); i++) {
      FeatureDrift before = features.get(i - 1);
      FeatureDrift after = features.get(i);
      assertThat(before.drifted() && !after.drifted() || before.severity() >= after.severity())
          .as(before.feature().name() + " before " + after.feature().name()).isTrue();
    }
    assertThat(report.features().stream().filter(FeatureDrift::drifted).map(f -> f.feature().name()))
        .contains("age", "age_years");
  }

  @Test
  void inputWithoutTheRawColumnsIsRefusedNamingThem() {
    String bad = dir.resolve("bad").toUri().toString();
    SampleData.typed().drop("race", "num_medications").write().parquet(bad);
    assertThatThrownBy(() -> new DriftRunner(spark, l -> {}).run(new DriftRunner.Inputs(reference, bad, null),
        Optional.empty(), DriftOptions.EVIDENTLY_DEFAULTS, dir.resolve("never").toUri().toString()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("the current data " + bad).hasMessageContaining("[race, num_medications]");
    assertThat(dir.resolve("never")).doesNotExist();
  }

  private static JsonNode feature(JsonNode json, String name) {
    for (JsonNode f : json.get("features")) {
      if (f.get("name").asText().equals(name)) {
        return f;
      }
    }
    throw new AssertionError("no feature " + name + " in the report");
  }
}

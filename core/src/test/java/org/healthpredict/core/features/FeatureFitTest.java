package org.healthpredict.core.features;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.metrics.source.CodegenMetrics;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.feature.ImputerModel;
import org.apache.spark.ml.feature.StandardScalerModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.healthpredict.core.data.RawSchema;
import org.healthpredict.core.testing.SampleData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeatureFitTest {

  @TempDir
  Path dir;

  @Test
  void fitsTheStagesSparkFitsOnTheSample() throws IOException {
    assertSameFit(ModelFamily.LR, SampleData.typed(), "sample");
  }

  /** 25 encounters: most categories occur once or twice, so the label order rests on tie-breaking. */
  @Test
  void breaksFrequencyTiesAsSparkDoesOnAFewRows() throws IOException {
    Dataset<Row> few = SampleData.typed().orderBy(col(RawSchema.ENCOUNTER_ID)).limit(25);
    assertSameFit(ModelFamily.GBT, few, "few");
  }

  @Test
  void keepsTheMostFrequentValuesTiesByUtf8Order() {
    // "\uFB01" sorts after "\uD83D\uDE00" in UTF-16 (compareTo) but before it in UTF-8, as Spark SQL orders.
    Map<String, Long> counts = new java.util.HashMap<>(Map.of("b", 5L, "a", 5L, "\uFB01", 2L, "\uD83D\uDE00", 2L, "c", 9L));
    counts.put(null, 20L);
    assertThat(FeatureFit.mostFrequent(counts, 3)).containsExactly("c", "a", "b");
    assertThat(FeatureFit.mostFrequent(counts, 10)).containsExactly("c", "a", "b", "\uFB01", "\uD83D\uDE00");
  }

  @Test
  void labelsCleanedValuesMostFrequentFirstTiesByLabel() {
    Map<String, Long> counts = new java.util.HashMap<>(Map.of("x", 2L, "missing", 1L, "b", 3L));
    counts.put(null, 2L);
    // Nulls become "missing" (1 + 2 = 3), tied with "b", which comes first.
    assertThat(FeatureFit.indexerLabels(counts, Categories::orMissing)).containsExactly("b", "missing", "x");
    assertThat(FeatureFit.indexerLabels(counts, v -> v)).containsExactly("b", "x", "missing");
  }

  /** What `jobs train` and a sweep's refit fit: the feature stages and the classifier, as one pipeline. */
  @Test
  void fitsAWholeTrainingPipelineAsPipelineFitDoes() throws IOException {
    Pipeline pipeline = FeaturePipeline.pipeline(ModelFamily.LR, new LogisticRegression().setMaxIter(5));
    Dataset<Row> train = SampleData.typed();
    PipelineModel spark = pipeline.fit(train);
    PipelineModel fast = FeatureFit.fit(pipeline, train);

    assertThat(fast.uid()).isEqualTo(spark.uid()).isEqualTo(pipeline.uid());
    assertThat(fast.stages()[fast.stages().length - 1]).isInstanceOf(LogisticRegressionModel.class);
    assertSameFit(spark, fast, train, "pipeline");
  }

  /**
   * Each fit builds its stages anew; the assembler's fixed uid keeps the query code the same, so
   * Spark compiles nothing for a second fit and transform of the same data in one JVM (a sweep's
   * trials, a long-lived job).
   */
  @Test
  void aSecondFitAndTransformCompilesNoNewQueryCode() {
    Dataset<Row> train = SampleData.typed();
    featurise(train);
    long compiled = CodegenMetrics.METRIC_COMPILATION_TIME().getCount();
    featurise(train);
    assertThat(CodegenMetrics.METRIC_COMPILATION_TIME().getCount()).isEqualTo(compiled);
  }

  private static void featurise(Dataset<Row> train) {
    FeatureFit.fit(ModelFamily.LR, train).transform(train).select(FeaturePipeline.FEATURES)
        .write().format("noop").mode("overwrite").save();
  }

  private void assertSameFit(ModelFamily family, Dataset<Row> train, String name) throws IOException {
    List<PipelineStage> stages = FeaturePipeline.stages(family);
    PipelineModel spark = new Pipeline().setStages(stages.toArray(PipelineStage[]::new)).fit(train);
    assertSameFit(spark, FeatureFit.fit(stages, train), train, name);
  }

  private void assertSameFit(PipelineModel spark, PipelineModel fast, Dataset<Row> train, String name) throws IOException {
    Transformer[] expected = spark.stages();
    Transformer[] actual = fast.stages();
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.length; i++) {
      assertThat(actual[i].getClass()).isEqualTo(expected[i].getClass());
      assertThat(actual[i].uid()).isEqualTo(expected[i].uid());
      if (expected[i] instanceof TopCategoriesModel top) {
        assertThat(((TopCategoriesModel) actual[i]).getCategories()).isEqualTo(top.getCategories()).isNotEmpty();
      } else if (expected[i] instanceof CategoryOneHotModel oneHot) {
        assertThat(((CategoryOneHotModel) actual[i]).labelsArray()).isDeepEqualTo(oneHot.labelsArray());
      } else if (expected[i] instanceof ImputerModel imputer) {
        assertThat(((ImputerModel) actual[i]).surrogateDF().collectAsList())
            .isEqualTo(imputer.surrogateDF().collectAsList());
      } else if (expected[i] instanceof StandardScalerModel scaler) {
        assertThat(((StandardScalerModel) actual[i]).std()).isEqualTo(scaler.std());
      }
    }

    // What serving reads: the saved stages, their params and data, alike but for the write time.
    Map<String, Path> want = savedFiles(spark, dir.resolve(name + "-spark"));
    Map<String, Path> got = savedFiles(fast, dir.resolve(name + "-fast"));
    assertThat(got.keySet()).isEqualTo(want.keySet()).isNotEmpty();
    for (String file : want.keySet()) {
      if (file.contains("metadata")) {
        assertThat(paramsAndData(got.get(file))).as(file).isEqualTo(paramsAndData(want.get(file)));
      } else {
        assertThat(got.get(file)).as(file).hasSameBinaryContentAs(want.get(file));
      }
    }

    Dataset<Row> rows = train.select(col(RawSchema.ENCOUNTER_ID));
    assertThat(fast.transform(train).select(RawSchema.ENCOUNTER_ID, FeaturePipeline.FEATURES).collectAsList())
        .isEqualTo(spark.transform(train).select(RawSchema.ENCOUNTER_ID, FeaturePipeline.FEATURES).collectAsList())
        .hasSize((int) rows.count());
  }

  /** Saves a model; its data and metadata files by path below the model, part file names made alike. */
  private static Map<String, Path> savedFiles(PipelineModel model, Path root) throws IOException {
    model.write().save(root.toString());
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(Files::isRegularFile)
          .filter(p -> !p.getFileName().toString().endsWith(".crc") && !p.getFileName().toString().startsWith("_"))
          .collect(Collectors.toMap(p -> root.relativize(p).toString().replaceAll("part-[0-9a-f-]+", "part"), p -> p));
    }
  }

  /** A stage's metadata without what differs between two writes: the time, and the pipeline's own random uid. */
  private static ObjectNode paramsAndData(Path metadata) throws IOException {
    ObjectNode json = (ObjectNode) new ObjectMapper().readTree(metadata.toFile());
    json.remove("timestamp");
    if (json.get("class").asText().equals(PipelineModel.class.getName())) {
      json.remove("uid");
    }
    return json;
  }
}

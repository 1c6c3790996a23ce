package org.healthpredict.core.features;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.RandomForestClassifier;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.healthpredict.core.data.RawSchema;
import org.healthpredict.core.testing.SampleData;
import org.healthpredict.core.testing.TestSpark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FeaturePipelineTest {

  private PipelineModel logistic;
  private PipelineModel forest;

  @BeforeAll
  void fitOnTheSample() {
    logistic = FeaturePipeline.pipeline(ModelFamily.LR, new LogisticRegression().setMaxIter(30).setRegParam(0.01))
        .fit(SampleData.typed());
    forest = FeaturePipeline.pipeline(ModelFamily.RF, new RandomForestClassifier().setNumTrees(20).setSeed(7))
        .fit(SampleData.typed());
  }

  /** One encounter with every nullable column null and unseen values where a category is given. */
  private static Dataset<Row> oddEncounter() {
    List<String> columns = Arrays.asList(RawSchema.typedSchema().fieldNames());
    Object[] values = new Object[columns.size()];
    values[columns.indexOf(RawSchema.ENCOUNTER_ID)] = 1L;
    values[columns.indexOf(RawSchema.PATIENT_NBR)] = 2L;
    values[columns.indexOf(RawSchema.READMITTED)] = "NO";
    values[columns.indexOf(RawSchema.TARGET)] = 0;
    values[columns.indexOf(RawSchema.DISCHARGE_DISPOSITION_ID)] = 99;  // not in the code table
    values[columns.indexOf("race")] = "Martian";
    values[columns.indexOf("diag_1")] = "V99";
    values[columns.indexOf("medical_specialty")] = "Astrology";
    values[columns.indexOf("metformin")] = "Sideways";
    return TestSpark.session().createDataFrame(List.of(RowFactory.create(values)), RawSchema.typedSchema());
  }

  private static Map<Long, Vector> byEncounter(Dataset<Row> scored, String column) {
    return scored.select(RawSchema.ENCOUNTER_ID, column).collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getLong(0), r -> (Vector) r.get(1)));
  }

  @Test
  void featureListsNeverHoldIdsTheLabelOrTheDroppedColumns() {
    List<String> all = new java.util.ArrayList<>(FeaturePipeline.numericFeatures());
    all.addAll(FeaturePipeline.categoricalFeatures());
    assertThat(all).doesNotContain(RawSchema.ENCOUNTER_ID, RawSchema.PATIENT_NBR, RawSchema.READMITTED,
        RawSchema.TARGET, "weight", "payer_code");
    assertThat(all).doesNotHaveDuplicates();
    assertThat(FeaturePipeline.numericFeatures()).contains("age_years", "total_visits", "meds_changed",
        "meds_in_use", "a1c_measured", "glu_measured", "time_in_hospital").hasSize(14);
    assertThat(FeaturePipeline.categoricalFeatures()).contains("diag_1_group", "admission_type",
        "discharge_disposition", "admission_source", "medical_specialty_top", "race", "insulin")
        .hasSize(4 + 23 + 2 + 6 + 1);
  }

  @Test
  void onlyLogisticRegressionGetsAScaler() {
    assertThat(FeaturePipeline.stages(ModelFamily.LR)).last().isInstanceOf(StandardScaler.class);
    assertThat(FeaturePipeline.stages(ModelFamily.RF)).noneMatch(s -> s instanceof StandardScaler);
    assertThat(FeaturePipeline.stages(ModelFamily.GBT)).noneMatch(s -> s instanceof StandardScaler);
    for (ModelFamily family : ModelFamily.values()) {
      PipelineStage last = FeaturePipeline.stages(family).get(FeaturePipeline.stages(family).size() - 1);
      assertThat(last.getOrDefault(last.getParam("outputCol"))).isEqualTo(FeaturePipeline.FEATURES);
    }
  }

  @Test
  void pipelinePointsTheClassifierAtFeaturesAndTheBinaryTarget() {
    LogisticRegression lr = new LogisticRegression();
    FeaturePipeline.pipeline(ModelFamily.LR, lr);
    assertThat(lr.getFeaturesCol()).isEqualTo("features");
    assertThat(lr.getLabelCol()).isEqualTo(RawSchema.TARGET);
  }

  @Test
  void logisticRegressionPipelineGivesEverySampleRowAProbability() {
    assertEveryRowHasAProbability(logistic.transform(SampleData.typed()));
  }

  @Test
  void randomForestPipelineGivesEverySampleRowAProbability() {
    assertEveryRowHasAProbability(forest.transform(SampleData.typed()));
  }

  @Test
  void gradientBoostedPipelineFitsAndScoresTheSample() {
    PipelineModel gbt = FeaturePipeline.pipeline(ModelFamily.GBT, new GBTClassifier().setMaxIter(3).setSeed(7))
        .fit(SampleData.typed());
    assertEveryRowHasAProbability(gbt.transform(SampleData.typed()));
  }

  private static void assertEveryRowHasAProbability(Dataset<Row> scored) {
    List<Row> rows = scored.select("probability").collectAsList();
    assertThat(rows).hasSize(4999);
    for (Row r : rows) {
      Vector p = (Vector) r.get(0);
      assertThat(p.size()).isEqualTo(2);
      assertThat(p.apply(1)).isBetween(0.0, 1.0);
      assertThat(p.apply(0) + p.apply(1)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
    }
  }

  @Test
  void encounterWithNullsEverywhereAndUnseenCategoriesStillScores() {
    for (PipelineModel model : List.of(logistic, forest)) {
      Row r = model.transform(oddEncounter())
          .select("probability", FeaturePipeline.FEATURES, FeaturePipeline.CATEGORIES_ONE_HOT, "medical_specialty_top",
              "discharge_disposition", "age_years_imputed", "total_visits_imputed")
          .first();
      double positive = ((Vector) r.get(0)).apply(1);
      assertThat(positive).isBetween(0.0, 1.0).isNotNaN();
      assertThat(((Vector) r.get(1)).size()).isEqualTo(featureSize(model));
      CategoryOneHotModel oneHot = oneHot(model);
      assertThat(oneHot.getInputCols()[0]).isEqualTo("race");
      // "Martian" takes the place after race's labels, reserved for unseen values.
      Vector categories = (Vector) r.get(2);
      assertThat(categories.apply(oneHot.labelsArray()[0].length)).isEqualTo(1.0);
      assertThat(categories.numNonzeros()).isEqualTo(oneHot.getInputCols().length);
      assertThat(r.getString(3)).isEqualTo("other");
      assertThat(r.getString(4)).isEqualTo("unknown");
      // Sample median of [lo-hi) midpoints and of prior visits (most patients have none).
      assertThat(r.getDouble(5)).isEqualTo(65.0);
      assertThat(r.getInt(6)).isZero();
    }
  }

  @Test
  void featureVectorHasOneSlotPerNumberAndPerSeenCategoryPlusUnseen() {
    for (PipelineModel model : List.of(logistic, forest)) {
      CategoryOneHotModel oneHot = oneHot(model);
      int expected = FeaturePipeline.numericFeatures().size();
      for (String[] labels : oneHot.labelsArray()) {
        // As StringIndexer + OneHotEncoder with "keep" and dropLast: the labels, then unseen.
        expected += labels.length + 1;
      }
      assertThat(featureSize(model)).isEqualTo(expected);
      List<Integer> sizes = model.transform(SampleData.typed()).select(FeaturePipeline.FEATURES).collectAsList()
          .stream().map(r -> ((Vector) r.get(0)).size()).distinct().toList();
      assertThat(sizes).containsExactly(expected);
    }
    assertThat(featureSize(logistic)).isEqualTo(featureSize(forest));
  }

  @Test
  void featuresIgnoreIdsLabelWeightAndPayerCode() {
    Dataset<Row> changed = SampleData.typed()
        .withColumn("weight", lit("[75-100)"))
        .withColumn("payer_code", lit("MC"))
        .withColumn(RawSchema.PATIENT_NBR, col(RawSchema.PATIENT_NBR).plus(1))
        .withColumn(RawSchema.TARGET, lit(1).minus(col(RawSchema.TARGET)))
        .withColumn(RawSchema.READMITTED, lit("<30"));
    Map<Long, Vector> original = byEncounter(forest.transform(SampleData.typed()), FeaturePipeline.FEATURES);
    assertThat(byEncounter(forest.transform(changed), FeaturePipeline.FEATURES)).isEqualTo(original);
  }

  @Test
  void savedLogisticModelReloadsAndPredictsIdentically(@TempDir Path dir) throws Exception {
    assertRoundTrip(logistic, dir.resolve("lr").toUri().toString());
  }

  @Test
  void savedForestModelReloadsAndPredictsIdentically(@TempDir Path dir) throws Exception {
    assertRoundTrip(forest, dir.resolve("rf").toUri().toString());
  }

  private static void assertRoundTrip(PipelineModel model, String uri) throws Exception {
    model.write().overwrite().save(uri);
    PipelineModel loaded = PipelineModel.load(uri);
    assertThat(loaded.stages()).hasSameSizeAs(model.stages());
    assertThat(Arrays.stream(loaded.stages()).<Class<?>>map(s -> s.getClass()).toList())
        .contains(EngineeredFeatures.class, TopCategoriesModel.class, FillMissingCategories.class);
    Dataset<Row> input = SampleData.typed().unionByName(oddEncounter());
    Dataset<Row> before = model.transform(input);
    Dataset<Row> after = loaded.transform(input);
    for (String column : List.of(FeaturePipeline.FEATURES, "probability", "rawPrediction")) {
      assertThat(byEncounter(after, column)).as(column).isEqualTo(byEncounter(before, column));
    }
    assertThat(after.orderBy(RawSchema.ENCOUNTER_ID).select("prediction").collectAsList())
        .isEqualTo(before.orderBy(RawSchema.ENCOUNTER_ID).select("prediction").collectAsList());
  }

  private static CategoryOneHotModel oneHot(PipelineModel model) {
    for (Transformer t : model.stages()) {
      if (t instanceof CategoryOneHotModel s) {
        return s;
      }
    }
    throw new AssertionError("no CategoryOneHotModel in " + Arrays.toString(model.stages()));
  }

  private static int featureSize(PipelineModel model) {
    return ((Vector) model.transform(SampleData.typed().limit(1)).select(FeaturePipeline.FEATURES).first().get(0))
        .size();
  }
}

package org.healthpredict.serving.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.classification.ProbabilisticClassifier;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.feature.Imputer;
import org.apache.spark.ml.feature.OneHotEncoder;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.healthpredict.core.data.RawSchema;
import org.healthpredict.core.evaluation.BinaryEvaluation;
import org.healthpredict.core.features.EngineeredFeatures;
import org.healthpredict.core.features.FeaturePipeline;
import org.healthpredict.core.features.ModelFamily;
import org.healthpredict.core.testing.SampleSplit;
import org.healthpredict.core.testing.TestSpark;
import org.healthpredict.core.training.Classifiers;
import org.healthpredict.serving.model.saved.SavedPipelineReader;
import org.healthpredict.serving.model.saved.UnsupportedStageException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The row scorer against Spark's own transform, for every model family the tuner can choose, on
 * every encounter of the sample split's test and future parts plus records with nulls and unseen
 * values. Models are fitted on the train part and saved; Spark's transform runs on the model
 * {@code PipelineModel.load} reads back, the row scorer on the one the service reads without Spark
 * ({@link SavedPipelineReader}), so the parity covers reading too.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RowScorerParityTest {

  private static final String DECISION_TREE = "org.apache.spark.ml.classification.DecisionTreeClassifier";
  private static final String NAIVE_BAYES = "org.apache.spark.ml.classification.NaiveBayes";

  private SparkSession spark;
  private Path saved;
  private Dataset<Row> validation;
  private List<Object[]> records;
  private List<Object[]> unusual;
  private Dataset<Row> frame;
  private final Map<String, PipelineModel> models = new LinkedHashMap<>();
  /** The same saved models as the service reads them: without Spark where a reader exists. */
  private final Map<String, PipelineModel> served = new LinkedHashMap<>();
  private final SavedPipelineReader reader = new SavedPipelineReader(new Configuration());

  @BeforeAll
  void fitEveryFamily() throws IOException {
    spark = TestSpark.session();
    String split = SampleSplit.uri();
    Dataset<Row> train = Encounters.part(spark, split, "train").cache();
    validation = Encounters.part(spark, split, "validation");
    records = new ArrayList<>(Encounters.typed(Encounters.part(spark, split, "test")));
    records.addAll(Encounters.typed(Encounters.part(spark, split, "future")));
    unusual = Encounters.unusual(records.get(0), 9_000_000_000L);
    records.addAll(unusual);
    frame = Encounters.frame(spark, records).cache();
    saved = Files.createTempDirectory("row-scorer-models-");
    // Small ensembles: exactness, not model quality, is the point, and the test should stay quick.
    fit("lr", Classifiers.create(ModelFamily.LR, Map.of("maxIter", 30), 7), train);
    fit("rf", Classifiers.create(ModelFamily.RF, Map.of("numTrees", 20, "maxDepth", 6), 7), train);
    fit("gbt", Classifiers.create(ModelFamily.GBT, Map.of("maxIter", 10, "maxDepth", 4), 7), train);
    fit(DECISION_TREE, Classifiers.create(DECISION_TREE, Map.of("maxDepth", 6), 7), train);
    fit(NAIVE_BAYES, Classifiers.create(NAIVE_BAYES, Map.of(), 7), train);
    train.unpersist();
  }

  @AfterAll
  void release() {
    frame.unpersist();
  }

  /** As the sweep refits a winner (BestModel): scaled features for classifiers that want them. */
  private void fit(String family, ProbabilisticClassifier<?, ?, ?> classifier, Dataset<Row> train) throws IOException {
    ModelFamily stages = Classifiers.needsScaling(family) ? ModelFamily.LR : ModelFamily.GBT;
    PipelineModel fitted = FeaturePipeline.pipeline(stages, classifier).fit(train);
    String path = saved.resolve(family.replaceAll("\\W", "_")).toString();
    fitted.write().save(path);
    models.put(family, PipelineModel.load(path));
    served.put(family, family.equals(NAIVE_BAYES) ? models.get(family) : reader.read(path));
  }

  /** Saves {@code model} and reads it back as the service does. */
  private PipelineModel savedAndReadWithoutSpark(PipelineModel model, String name) throws IOException {
    String path = saved.resolve(name).toString();
    model.write().overwrite().save(path);
    return reader.read(path);
  }

  private Map<Long, Double> sparkProbabilities(PipelineModel model, Dataset<Row> rows) {
    Map<Long, Double> out = new HashMap<>();
    for (Row r : model.transform(rows).select(RawSchema.ENCOUNTER_ID, "probability").collectAsList()) {
      out.put(r.getLong(0), ((Vector) r.get(1)).apply(1));
    }
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"lr", "rf", "gbt", DECISION_TREE, NAIVE_BAYES})
  void probabilitiesEqualSparkTransformOnEveryRecord(String family) {
    PipelineModel model = models.get(family);
    Map<Long, Double> spark = sparkProbabilities(model, frame);
    RowScorer scorer = RowScorer.of(served.get(family));
    assertThat(spark).hasSize(records.size());
    double worst = 0;
    for (Object[] record : records) {
      long id = Encounters.encounterId(record);
      double row = scorer.probability(record);
      assertThat(row).as("%s, encounter %d", family, id).isCloseTo(spark.get(id), within(1e-9));
      worst = Math.max(worst, Math.abs(row - spark.get(id)));
    }
    if (!family.equals("lr") && !family.equals(NAIVE_BAYES)) {
      // Trees are evaluated with Spark's own arithmetic in Spark's order: not close, equal.
      assertThat(worst).as("%s: largest difference from Spark", family).isZero();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"lr", "rf", "gbt", DECISION_TREE, NAIVE_BAYES})
  void labelsAtTheModelsThresholdAreIdentical(String family) {
    PipelineModel model = models.get(family);
    // The decision threshold the registry records: best F1 on validation.
    double threshold = BinaryEvaluation.evaluate(model.transform(validation), RawSchema.TARGET, "probability")
        .threshold();
    Map<Long, Double> spark = sparkProbabilities(model, frame);
    RowScorer scorer = RowScorer.of(served.get(family));
    int positives = 0;
    for (Object[] record : records) {
      long id = Encounters.encounterId(record);
      int sparkLabel = spark.get(id) >= threshold ? 1 : 0;
      assertThat(scorer.probability(record) >= threshold ? 1 : 0).as("%s, encounter %d at threshold %s", family, id,
          threshold).isEqualTo(sparkLabel);
      positives += sparkLabel;
    }
    assertThat(positives).as("both labels occur at the threshold").isBetween(1, records.size() - 1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"lr", "rf", "gbt"})
  void nullsAndUnseenValuesScoreAsSparkScoresThem(String family) {
    PipelineModel model = models.get(family);
    Map<Long, Double> spark = sparkProbabilities(model, Encounters.frame(this.spark, unusual));
    RowScorer scorer = RowScorer.of(served.get(family));
    assertThat(unusual).hasSizeGreaterThan(40);
    for (Object[] record : unusual) {
      double p = scorer.probability(record);
      assertThat(p).isBetween(0.0, 1.0).isCloseTo(spark.get(Encounters.encounterId(record)),
          within(1e-9));
    }
  }

  /**
   * Stage settings our pipelines do not use, each on its other branch in Spark: nulls straight into a
   * "keep" indexer (payer_code is 40% null), one-hot without dropLast, mean imputation of a double and
   * an int column, scaling with the mean, and a null reaching an assembler whose handleInvalid is
   * "error" (Spark fails the record; so does the row scorer, naming the column).
   */
  @Test
  void otherStageSettingsScoreAsSparkDoes() throws IOException {
    PipelineModel model = new Pipeline().setStages(new PipelineStage[] {
        new EngineeredFeatures(),
        new Imputer().setStrategy("mean").setInputCols(new String[] {"age_years", "num_lab_procedures"})
            .setOutputCols(new String[] {"age_mean", "labs_mean"}),
        new StringIndexer().setInputCols(new String[] {"race", "payer_code"})
            .setOutputCols(new String[] {"race_index", "payer_index"}).setHandleInvalid("keep"),
        new OneHotEncoder().setInputCols(new String[] {"race_index", "payer_index"})
            .setOutputCols(new String[] {"race_onehot", "payer_onehot"}).setDropLast(false).setHandleInvalid("keep"),
        new VectorAssembler().setInputCols(new String[] {"age_mean", "labs_mean", "race_onehot", "payer_onehot",
            "number_diagnoses"}).setOutputCol("unscaled"),
        new StandardScaler().setInputCol("unscaled").setOutputCol("features").setWithMean(true).setWithStd(true),
        new LogisticRegression().setMaxIter(20).setLabelCol(RawSchema.TARGET)})
        .fit(Encounters.part(spark, SampleSplit.uri(), "train"));
    Map<Long, Double> expected = sparkProbabilities(model, frame.where("number_diagnoses IS NOT NULL"));
    RowScorer scorer = RowScorer.of(savedAndReadWithoutSpark(model, "other-settings"));
    int refused = 0;
    for (Object[] record : records) {
      long id = Encounters.encounterId(record);
      if (expected.containsKey(id)) {
        assertThat(scorer.probability(record)).as("encounter %d", id).isCloseTo(expected.get(id), within(1e-9));
      } else {
        assertThatThrownBy(() -> scorer.probability(record)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("number_diagnoses is null");
        refused++;
      }
    }
    assertThat(refused).isPositive();
    assertThat(expected).hasSize(records.size() - refused);
  }

  @ParameterizedTest
  @ValueSource(strings = {"lr", "rf", "gbt", DECISION_TREE})
  void readingWithoutSparkGivesTheStagesSparkLoads(String family) {
    Transformer[] spark = models.get(family).stages();
    Transformer[] direct = served.get(family).stages();
    assertThat(direct).hasSameSizeAs(spark);
    for (int i = 0; i < spark.length; i++) {
      assertThat(direct[i]).isInstanceOf(spark[i].getClass());
      assertThat(direct[i].uid()).isEqualTo(spark[i].uid());
      assertThat(savedParams(direct[i])).as("%s stage %d", family, i).isEqualTo(savedParams(spark[i]));
    }
  }

  /** Every param's value and default, in the JSON Spark saves them as. */
  @SuppressWarnings("unchecked")
  private static Map<String, String> savedParams(Transformer stage) {
    Map<String, String> out = new TreeMap<>();
    for (Param<?> p : stage.params()) {
      Param<Object> param = (Param<Object>) p;
      if (stage.isSet(param)) {
        out.put(param.name(), param.jsonEncode(stage.getOrDefault(param)));
      }
      if (stage.hasDefault(param)) {
        out.put(param.name() + " (default)", param.jsonEncode(stage.getDefault(param).get()));
      }
    }
    return out;
  }

  @Test
  void aStageWithoutASparkFreeReaderIsNamed() {
    String path = saved.resolve(NAIVE_BAYES.replaceAll("\\W", "_")).toString();
    assertThatThrownBy(() -> reader.read(path)).isInstanceOf(UnsupportedStageException.class)
        .hasMessageContaining("org.apache.spark.ml.classification.NaiveBayesModel");
  }

  @Test
  void aDirectoryThatIsNotASavedModelIsRefusedNamingIt() throws IOException {
    Path empty = Files.createDirectories(saved.resolve("not-a-model/metadata"));
    assertThatThrownBy(() -> reader.read(saved.resolve("not-a-model").toString()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(empty.toString())
        .hasMessageContaining("holds no part file");
  }

  @Test
  void featureVectorsEqualSparkFeatures() {
    PipelineModel model = models.get("lr");
    Map<Long, Vector> spark = new HashMap<>();
    for (Row r : model.transform(frame).select(RawSchema.ENCOUNTER_ID, FeaturePipeline.FEATURES).collectAsList()) {
      spark.put(r.getLong(0), (Vector) r.get(1));
    }
    RowScorer scorer = RowScorer.of(served.get("lr"));
    for (Object[] record : records) {
      long id = Encounters.encounterId(record);
      assertThat(scorer.features(record)).as("encounter %d", id).containsExactly(spark.get(id).toArray());
    }
  }

  @Test
  void nestedPipelineModelsAreUnfolded() {
    PipelineModel flat = models.get("rf");
    Transformer[] stages = flat.stages();
    Transformer[] features = Arrays.copyOf(stages, stages.length - 1);
    PipelineModel nested = new Pipeline().setStages(new PipelineStage[] {
        new Pipeline().setStages(features).fit(frame.limit(0)), stages[stages.length - 1]}).fit(frame.limit(0));
    RowScorer a = RowScorer.of(flat);
    RowScorer b = RowScorer.of(nested);
    for (Object[] record : records.subList(0, 200)) {
      assertThat(b.probability(record)).isEqualTo(a.probability(record));
    }
  }

  @Test
  void refusesAStageItCannotApplyNamingIt() {
    Transformer[] stages = models.get("lr").stages();
    PipelineStage[] withSql = new PipelineStage[stages.length + 1];
    withSql[0] = new SQLTransformer().setStatement("SELECT * FROM __THIS__");
    System.arraycopy(stages, 0, withSql, 1, stages.length);
    PipelineModel model = new Pipeline().setStages(withSql).fit(frame.limit(0));
    assertThatThrownBy(() -> RowScorer.of(model)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("org.apache.spark.ml.feature.SQLTransformer");
  }

  @Test
  void describesTheEvaluator() {
    assertThat(RowScorer.of(models.get("rf")).describe()).startsWith("rf: 20 trees, ").contains("flat evaluator");
    assertThat(RowScorer.of(models.get("gbt")).describe()).startsWith("gbt: 10 trees, ");
    assertThat(RowScorer.of(models.get("lr")).describe()).startsWith("lr: ");
    assertThat(RowScorer.of(models.get(NAIVE_BAYES)).describe()).startsWith("NaiveBayesModel: Spark predictProbability");
  }

  @Test
  void threadsSharingOneScorerGetTheSameAnswers() throws Exception {
    RowScorer scorer = RowScorer.of(models.get("gbt"));
    double[] expected = records.stream().mapToDouble(scorer::probability).toArray();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<double[]>> runs = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        runs.add(pool.submit(() -> records.stream().mapToDouble(scorer::probability).toArray()));
      }
      for (Future<double[]> run : runs) {
        assertThat(run.get()).containsExactly(expected);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void refusesARecordWithTooFewValues() {
    RowScorer scorer = RowScorer.of(models.get("lr"));
    assertThatThrownBy(() -> scorer.probability(new Object[10])).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("got 10");
  }
}

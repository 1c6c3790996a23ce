package org.healthpredict.core.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.OneHotEncoder;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.healthpredict.core.testing.TestSpark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CategoryOneHotTest {

  private static final StructType SCHEMA = new StructType()
      .add("id", DataTypes.LongType, false)
      .add("race", DataTypes.StringType, true)
      .add("gender", DataTypes.StringType, true);

  /** Ties (b/c once each, x/y once each) and a null in fitting; an unseen value and a null in scoring. */
  private static final List<Row> TRAIN = List.of(
      RowFactory.create(1L, "a", "x"), RowFactory.create(2L, "a", "y"), RowFactory.create(3L, "c", null),
      RowFactory.create(4L, "b", "z"), RowFactory.create(5L, null, "z"));
  private static final List<Row> SCORE = List.of(
      RowFactory.create(6L, "a", "z"), RowFactory.create(7L, "Martian", "y"), RowFactory.create(8L, null, null),
      RowFactory.create(9L, "c", "x"));

  @TempDir
  Path dir;

  @Test
  void encodesAsStringIndexerThenOneHotEncoderThenAssemblerWithKeep() {
    Dataset<Row> train = frame(TRAIN);
    Dataset<Row> score = frame(SCORE).unionByName(train);
    String[] columns = {"race", "gender"};
    PipelineModel spark = new Pipeline().setStages(new PipelineStage[] {
        new StringIndexer().setInputCols(columns).setOutputCols(new String[] {"r_i", "g_i"}).setHandleInvalid("keep"),
        new OneHotEncoder().setInputCols(new String[] {"r_i", "g_i"}).setOutputCols(new String[] {"r_o", "g_o"})
            .setHandleInvalid("keep"),
        new VectorAssembler().setInputCols(new String[] {"r_o", "g_o"}).setOutputCol("expected")}).fit(train);
    CategoryOneHotModel ours = new CategoryOneHot().setInputCols(columns).setOutputCol("encoded").fit(train);

    Map<Long, Vector> expected = byId(spark.transform(score), "expected");
    Map<Long, Vector> actual = byId(ours.transform(score), "encoded");
    assertThat(actual).isEqualTo(expected).hasSize(9);
    // race: a (2), then b and c (1 each, by label), then the unseen place; gender: z (2), x, y, unseen.
    assertThat(ours.labelsArray()).isDeepEqualTo(new String[][] {{"a", "b", "c"}, {"z", "x", "y"}});
    assertThat(ours.size()).isEqualTo(8);
    assertThat(actual.get(7L).toArray()).containsExactly(0, 0, 0, 1, 0, 0, 1, 0);
    assertThat(actual.get(8L).toArray()).containsExactly(0, 0, 0, 1, 0, 0, 0, 1);
  }

  @Test
  void savedModelReloadsWithItsLabels() throws java.io.IOException {
    CategoryOneHotModel fitted = new CategoryOneHot().setInputCols(new String[] {"race", "gender"}).setOutputCol("encoded")
        .fit(frame(TRAIN));
    String path = dir.resolve("model").toString();
    fitted.save(path);
    CategoryOneHotModel loaded = CategoryOneHotModel.<CategoryOneHotModel>read().load(path);
    assertThat(loaded.uid()).isEqualTo(fitted.uid());
    assertThat(loaded.labelsArray()).isDeepEqualTo(fitted.labelsArray());
    assertThat(byId(loaded.transform(frame(SCORE)), "encoded")).isEqualTo(byId(fitted.transform(frame(SCORE)), "encoded"));
  }

  @Test
  void refusesANonStringColumnByName() {
    CategoryOneHot stage = new CategoryOneHot().setInputCols(new String[] {"race", "id"}).setOutputCol("encoded");
    assertThatThrownBy(() -> stage.fit(frame(TRAIN)))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("column id must be a string, but is bigint");
  }

  private static Dataset<Row> frame(List<Row> rows) {
    return TestSpark.session().createDataFrame(rows, SCHEMA);
  }

  private static Map<Long, Vector> byId(Dataset<Row> scored, String column) {
    return scored.select("id", column).collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getLong(0), r -> (Vector) r.get(1)));
  }
}

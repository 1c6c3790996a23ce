package org.healthpredict.core.features;

import static org.apache.spark.sql.functions.col;

import java.util.Arrays;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Spark estimator learning the K most frequent values of a string column on the training data; its
 * model keeps those, maps every other value to "other" and null to "missing". Used for
 * medical_specialty, whose 70-odd values have a long tail too thin to learn from.
 */
public final class TopCategories extends FeatureEstimator<TopCategoriesModel> implements
    HasInputCol<TopCategories>, HasOutputCol<TopCategories> {

  private static final long serialVersionUID = 1L;

  public static final int DEFAULT_K = 10;

  private final Param<String> inputCol;
  private final Param<String> outputCol;
  private final IntParam k;

  public TopCategories() {
    this(Identifiable$.MODULE$.randomUID("topCategories"));
  }

  /** Used by Spark when loading a saved pipeline. */
  public TopCategories(String uid) {
    super(uid);
    this.inputCol = new Param<>(this, "inputCol", "string column to bucket");
    this.outputCol = new Param<>(this, "outputCol", "column receiving the kept value, \"other\" or \"missing\"");
    this.k = new IntParam(this, "k", "how many of the most frequent values to keep (>= 1)", ParamValidators.gtEq(1));
    setDefault(k, DEFAULT_K);
  }

  public Param<String> inputCol() {
    return inputCol;
  }

  public Param<String> outputCol() {
    return outputCol;
  }

  public IntParam k() {
    return k;
  }

  public int getK() {
    return (Integer) getOrDefault(k);
  }

  public TopCategories setK(int value) {
    set(k, value);
    return this;
  }

  /**
   * Keeps the K most frequent non-null values. Nulls are not ranked: they always map to "missing",
   * so they must not take one of the K places. Ties are broken by value so a refit on the same data
   * keeps the same list.
   */
  @Override
  public TopCategoriesModel fit(Dataset<?> dataset) {
    transformSchema(dataset.schema(), true);
    String in = getInputCol();
    Row[] top = (Row[]) dataset.toDF().select(col(in)).where(col(in).isNotNull())
        .groupBy(col(in)).count()
        .orderBy(col("count").desc(), col(in).asc())
        .limit(getK())
        .collect();
    return model(Arrays.stream(top).map(r -> r.getString(0)).toArray(String[]::new));
  }

  /** The model keeping {@code categories}, with this estimator's params (also used by {@link FeatureFit}). */
  TopCategoriesModel model(String[] categories) {
    TopCategoriesModel model = copyValues(new TopCategoriesModel(uid()), ParamMap.empty());
    model.setCategories(categories);
    return model.setParent(this);
  }

  @Override
  public StructType transformSchema(StructType schema) {
    return TopCategoriesModel.validateAndTransform(schema, getInputCol(), getOutputCol());
  }

  @Override
  public TopCategories copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  static void requireString(StructType schema, String column) {
    if (!Arrays.asList(schema.fieldNames()).contains(column)) {
      throw new IllegalArgumentException("column " + column + " is not in the input");
    }
    if (!schema.apply(column).dataType().equals(DataTypes.StringType)) {
      throw new IllegalArgumentException("column " + column + " must be a string, but is "
          + schema.apply(column).dataType().simpleString());
    }
  }
}

package org.healthpredict.core.features;

import static org.apache.spark.sql.functions.col;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The fitted {@link TopCategories}: maps a string column to its kept value, "other" or "missing"
 * via {@link Categories#bucket}. The learned list is a Param so Spark's default persistence saves
 * and reloads it with the pipeline.
 */
public final class TopCategoriesModel extends FeatureModel<TopCategoriesModel> implements
    HasInputCol<TopCategoriesModel>, HasOutputCol<TopCategoriesModel> {

  private static final long serialVersionUID = 1L;

  private final Param<String> inputCol;
  private final Param<String> outputCol;
  private final StringArrayParam categories;

  /** Used by Spark when loading a saved pipeline, and by {@link TopCategories#fit}. */
  public TopCategoriesModel(String uid) {
    super(uid);
    this.inputCol = new Param<>(this, "inputCol", "string column to bucket");
    this.outputCol = new Param<>(this, "outputCol", "column receiving the kept value, \"other\" or \"missing\"");
    this.categories = new StringArrayParam(this, "categories", "the values kept, most frequent first");
    setDefault(categories, new String[0]);
  }

  public Param<String> inputCol() {
    return inputCol;
  }

  public Param<String> outputCol() {
    return outputCol;
  }

  public StringArrayParam categories() {
    return categories;
  }

  /** The kept values, most frequent first. */
  public List<String> getCategories() {
    return List.of(getOrDefault(categories));
  }

  TopCategoriesModel setCategories(String[] values) {
    set(categories, values.clone());
    return this;
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    transformSchema(dataset.schema(), true);
    Set<String> kept = new HashSet<>(Arrays.asList(getOrDefault(categories)));
    UDF1<String, String> bucket = value -> Categories.bucket(value, kept);
    return dataset.toDF().withColumn(getOutputCol(),
        functions.udf(bucket, DataTypes.StringType).asNonNullable().apply(col(getInputCol())));
  }

  @Override
  public StructType transformSchema(StructType schema) {
    return validateAndTransform(schema, getInputCol(), getOutputCol());
  }

  static StructType validateAndTransform(StructType schema, String in, String out) {
    TopCategories.requireString(schema, in);
    if (Arrays.asList(schema.fieldNames()).contains(out)) {
      throw new IllegalArgumentException("output column " + out + " already exists");
    }
    return schema.add(out, DataTypes.StringType, false);
  }

  @Override
  public TopCategoriesModel copy(ParamMap extra) {
    TopCategoriesModel copy = copyValues(new TopCategoriesModel(uid()), extra);
    return copy.setParent(parent());
  }
}

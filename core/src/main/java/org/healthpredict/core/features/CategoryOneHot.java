package org.healthpredict.core.features;

import java.util.Arrays;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.types.StructType;

/**
 * Index + one-hot encoding of many string columns into one sparse vector: what a StringIndexer
 * (order "frequencyDesc", handleInvalid "keep") followed by a OneHotEncoder (handleInvalid "keep",
 * dropLast) and a VectorAssembler of their outputs give, as one stage.
 *
 * <p>Why one stage: Spark's two stages transform with one UDF per column each, 72 for our 36
 * columns, and Spark's analyser resolves every UDF's encoders again for each plan that holds them.
 * That analysis, not the rows, was most of what a feature fit + transform cost on small inputs
 * (docs/benchmarks.md, bench-data). This stage uses one UDF for all columns.
 */
public final class CategoryOneHot extends FeatureEstimator<CategoryOneHotModel> implements
    HasInputCols<CategoryOneHot>, HasOutputCol<CategoryOneHot> {

  private static final long serialVersionUID = 1L;

  private final StringArrayParam inputCols;
  private final Param<String> outputCol;

  public CategoryOneHot() {
    this(Identifiable$.MODULE$.randomUID("categoryOneHot"));
  }

  /** Used by Spark when loading a saved pipeline. */
  public CategoryOneHot(String uid) {
    super(uid);
    this.inputCols = new StringArrayParam(this, "inputCols", "string columns to encode, in vector order");
    this.outputCol = new Param<>(this, "outputCol", "column receiving the concatenated one-hot vectors");
  }

  public StringArrayParam inputCols() {
    return inputCols;
  }

  public Param<String> outputCol() {
    return outputCol;
  }

  /** Labels as StringIndexer learns them (most frequent first, ties by label; nulls not counted). */
  @Override
  public CategoryOneHotModel fit(Dataset<?> dataset) {
    transformSchema(dataset.schema(), true);
    String[] in = getInputCols();
    String[] indexed = Arrays.stream(in).map(c -> c + "__index").toArray(String[]::new);
    String[][] labels = new StringIndexer().setInputCols(in).setOutputCols(indexed).setHandleInvalid("keep")
        .fit(dataset).labelsArray();
    return model(labels);
  }

  /** The model encoding with {@code labels} (per input column), with this estimator's params; also used by {@link FeatureFit}. */
  CategoryOneHotModel model(String[][] labels) {
    CategoryOneHotModel model = copyValues(new CategoryOneHotModel(uid()), ParamMap.empty());
    model.setLabels(labels);
    return model.setParent(this);
  }

  @Override
  public StructType transformSchema(StructType schema) {
    return CategoryOneHotModel.validateAndTransform(schema, getInputCols(), getOutputCol(), -1);
  }

  @Override
  public CategoryOneHot copy(ParamMap extra) {
    return defaultCopy(extra);
  }
}

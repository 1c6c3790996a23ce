package org.healthpredict.core.features;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The fitted {@link CategoryOneHot}. Column c takes a block of {@code labels[c].length + 1} places:
 * place i for its i-th label, the last for a value not seen in fitting or null (StringIndexer's and
 * OneHotEncoder's "keep"). The labels are Params (flattened, with a count per column), so Spark's
 * default persistence saves and reloads them with the pipeline and serving reads them without Spark.
 */
public final class CategoryOneHotModel extends FeatureModel<CategoryOneHotModel> implements
    HasInputCols<CategoryOneHotModel>, HasOutputCol<CategoryOneHotModel> {

  private static final long serialVersionUID = 1L;

  private final StringArrayParam inputCols;
  private final Param<String> outputCol;
  private final StringArrayParam labels;
  private final IntArrayParam labelCounts;

  /** Used by Spark when loading a saved pipeline, and by {@link CategoryOneHot#fit}. */
  public CategoryOneHotModel(String uid) {
    super(uid);
    this.inputCols = new StringArrayParam(this, "inputCols", "string columns to encode, in vector order");
    this.outputCol = new Param<>(this, "outputCol", "column receiving the concatenated one-hot vectors");
    this.labels = new StringArrayParam(this, "labels", "every input column's labels, most frequent first, one column after the other");
    this.labelCounts = new IntArrayParam(this, "labelCounts", "how many of the labels belong to each input column");
    setDefault(labels, new String[0]);
    setDefault(labelCounts, new int[0]);
  }

  public StringArrayParam inputCols() {
    return inputCols;
  }

  public Param<String> outputCol() {
    return outputCol;
  }

  /** Spark finds a stage's params through public accessors like these; without them set() refuses the param. */
  public StringArrayParam labels() {
    return labels;
  }

  public IntArrayParam labelCounts() {
    return labelCounts;
  }

  /** Per input column, its labels: position i is the category's place in the column's block. */
  public String[][] labelsArray() {
    String[] flat = getOrDefault(labels);
    int[] counts = getOrDefault(labelCounts);
    String[][] out = new String[counts.length][];
    int at = 0;
    for (int c = 0; c < counts.length; c++) {
      out[c] = Arrays.copyOfRange(flat, at, at + counts[c]);
      at += counts[c];
    }
    return out;
  }

  /**
   * Where each input column's block starts in the vector: label i of column c sits at
   * {@code blockStarts()[c] + i}, and unseen values and nulls at {@code blockStarts()[c] + labels[c].length}.
   */
  public int[] blockStarts() {
    int[] counts = getOrDefault(labelCounts);
    int[] starts = new int[counts.length];
    for (int c = 1; c < counts.length; c++) {
      starts[c] = starts[c - 1] + counts[c - 1] + 1;
    }
    return starts;
  }

  /** The vector's size: per column its labels plus the place for unseen values and nulls. */
  public int size() {
    return Arrays.stream(getOrDefault(labelCounts)).sum() + getOrDefault(labelCounts).length;
  }

  CategoryOneHotModel setLabels(String[][] perColumn) {
    List<String> flat = new ArrayList<>();
    int[] counts = new int[perColumn.length];
    for (int c = 0; c < perColumn.length; c++) {
      flat.addAll(Arrays.asList(perColumn[c]));
      counts[c] = perColumn[c].length;
    }
    set(labels, flat.toArray(String[]::new));
    set(labelCounts, counts);
    return this;
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    transformSchema(dataset.schema(), true);
    String[][] perColumn = labelsArray();
    int columns = perColumn.length;
    int[] offsets = blockStarts();
    int[] unseen = new int[columns];
    List<Map<String, Integer>> indexOf = new ArrayList<>();
    for (int c = 0; c < columns; c++) {
      Map<String, Integer> index = new HashMap<>();
      for (int i = 0; i < perColumn[c].length; i++) {
        index.put(perColumn[c][i], i);
      }
      indexOf.add(index);
      unseen[c] = perColumn[c].length;
    }
    int vectorSize = size();
    double[] ones = new double[columns];
    Arrays.fill(ones, 1.0);
    // One untyped UDF over a struct of all the columns: no input encoders for the analyser to resolve.
    UDF1<Row, Vector> encode = row -> {
      int[] places = new int[columns];
      for (int c = 0; c < columns; c++) {
        Integer i = row.isNullAt(c) ? null : indexOf.get(c).get(row.getString(c));
        places[c] = offsets[c] + (i == null ? unseen[c] : i);
      }
      return Vectors.sparse(vectorSize, places, ones);
    };
    Column[] in = Arrays.stream(getInputCols()).map(functions::col).toArray(Column[]::new);
    Column encoded = functions.udf(encode, SQLDataTypes.VectorType()).asNonNullable().apply(functions.struct(in));
    return dataset.toDF().withColumn(getOutputCol(), encoded.as(getOutputCol(), metadata(getOutputCol(), vectorSize)));
  }

  @Override
  public StructType transformSchema(StructType schema) {
    return validateAndTransform(schema, getInputCols(), getOutputCol(), size());
  }

  /** Input columns present and strings, output column new; {@code size} -1 while not fitted. */
  static StructType validateAndTransform(StructType schema, String[] in, String out, int size) {
    for (String column : in) {
      TopCategories.requireString(schema, column);
    }
    if (Arrays.asList(schema.fieldNames()).contains(out)) {
      throw new IllegalArgumentException("output column " + out + " already exists");
    }
    return schema.add(new StructField(out, SQLDataTypes.VectorType(), false, metadata(out, size)));
  }

  /** The vector's size as ML attributes, which VectorAssembler reads instead of looking at a row. */
  private static Metadata metadata(String column, int size) {
    return (size < 0 ? new AttributeGroup(column) : new AttributeGroup(column, size)).toMetadata();
  }

  @Override
  public CategoryOneHotModel copy(ParamMap extra) {
    CategoryOneHotModel copy = copyValues(new CategoryOneHotModel(uid()), extra);
    return copy.setParent(parent());
  }
}

package org.healthpredict.serving.scoring;

import java.util.List;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.healthpredict.core.data.RawSchema;

/**
 * Scores through Spark itself: a one-row DataFrame per record through {@code PipelineModel.transform}.
 * It is the slow path (Spark plans a query per call) that serving exists to avoid; the service
 * offers it as {@code --scorer transform} so the benchmark can put both paths side by side on the
 * same server.
 */
public final class TransformScorer implements RecordScorer {

  private static final StructType SCHEMA = RawSchema.typedSchema();

  private final SparkSession spark;
  private final PipelineModel model;

  public TransformScorer(SparkSession spark, PipelineModel model) {
    this.spark = spark;
    this.model = model;
  }

  @Override
  public double probability(Object[] typed) {
    Object[] values = typed.clone();
    StructField[] fields = SCHEMA.fields();
    for (int i = 0; i < fields.length; i++) {
      if (values[i] == null && !fields[i].nullable()) {
        // Identifiers and labels are not nullable in the typed schema but are no features: any value does.
        values[i] = placeholder(fields[i].dataType());
      }
    }
    Dataset<Row> one = spark.createDataFrame(List.of(RowFactory.create(values)), SCHEMA);
    Row scored = model.transform(one).select("probability").head();
    return ((Vector) scored.get(0)).apply(1);
  }

  @Override
  public String describe() {
    return "spark transform (one-row DataFrame per request)";
  }

  private static Object placeholder(DataType type) {
    if (type.equals(DataTypes.LongType)) {
      return 0L;
    }
    if (type.equals(DataTypes.IntegerType)) {
      return 0;
    }
    return "";
  }
}

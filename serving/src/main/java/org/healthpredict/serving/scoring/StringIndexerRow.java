package org.healthpredict.serving.scoring;

import java.util.HashMap;
import java.util.Map;
import org.apache.spark.ml.feature.StringIndexerModel;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.Tuple2;

/**
 * {@link StringIndexerModel} for one record: a label's position in the fitted labelsArray. With
 * handleInvalid "keep", an unseen label and also a null both get labels.length, as in Spark 4.1; with
 * "error" or "skip" (which would drop the record) they are refused, naming the column.
 */
final class StringIndexerRow implements RowStage {

  private final String[] columns;
  private final int[] in;
  private final int[] out;
  private final Map<String, Integer>[] indexOf;
  private final int[] unseen;
  private final boolean keepInvalid;

  @SuppressWarnings("unchecked")
  private StringIndexerRow(StringIndexerModel model, ColumnLayout layout, StructType schema) {
    Tuple2<String[], String[]> inOut = model.getInOutCols();
    columns = inOut._1();
    String[][] labels = model.labelsArray();
    in = new int[columns.length];
    out = new int[columns.length];
    indexOf = new Map[columns.length];
    unseen = new int[columns.length];
    for (int i = 0; i < columns.length; i++) {
      DataType type = schema.apply(columns[i]).dataType();
      if (!type.equals(DataTypes.StringType) && !type.equals(DataTypes.IntegerType) && !type.equals(DataTypes.LongType)) {
        throw new IllegalArgumentException("string indexer input " + columns[i] + " has type " + type.simpleString()
            + "; the row scorer indexes string, int and bigint columns");
      }
      in[i] = layout.valueIndex(columns[i]);
      indexOf[i] = new HashMap<>();
      for (int k = 0; k < labels[i].length; k++) {
        indexOf[i].put(labels[i][k], k);  // a repeated label keeps its last index, as Spark's map does
      }
      unseen[i] = labels[i].length;
    }
    for (int i = 0; i < columns.length; i++) {
      out[i] = layout.number(inOut._2()[i]).index();
    }
    keepInvalid = "keep".equals(model.getHandleInvalid());
  }

  static StringIndexerRow of(StringIndexerModel model, ColumnLayout layout, StructType schema) {
    return new StringIndexerRow(model, layout, schema);
  }

  @Override
  public void apply(RowFrame row) {
    for (int i = 0; i < in.length; i++) {
      Object value = row.values[in[i]];
      // Spark casts the input to string first; integers print the same in Java.
      Integer index = value == null ? null : indexOf[i].get(value instanceof String s ? s : value.toString());
      if (index != null) {
        row.numbers[out[i]] = index;
      } else if (keepInvalid) {
        row.numbers[out[i]] = unseen[i];
      } else {
        throw new IllegalArgumentException("column " + columns[i] + ": " + (value == null ? "null" : "unseen label '"
            + value + "'") + " and the indexer's handleInvalid is not 'keep'");
      }
    }
  }
}

package org.healthpredict.serving.scoring;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.feature.ImputerModel;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.Tuple2;

/**
 * {@link ImputerModel} for one record, as Spark 4.1 states it: a null input, or one equal to
 * missingValue (NaN equals NaN, as in Spark SQL), becomes the column's surrogate, and the result is
 * cast back to the input column's type (so an integer column's median is truncated like Spark's cast).
 */
final class ImputerRow implements RowStage {

  private final ColumnLayout.Slot[] in;
  private final int[] out;
  private final double[] surrogates;
  private final NumericType[] types;
  private final double missingValue;

  /** The input types Spark's final cast can go back to. */
  private enum NumericType { INT, BIGINT, FLOAT, DOUBLE }

  private ImputerRow(ColumnLayout.Slot[] in, int[] out, double[] surrogates, NumericType[] types,
      double missingValue) {
    this.in = in;
    this.out = out;
    this.surrogates = surrogates;
    this.types = types;
    this.missingValue = missingValue;
  }

  static ImputerRow of(ImputerModel model, ColumnLayout layout, StructType schema) {
    Tuple2<String[], String[]> columns = model.getInOutCols();
    String[] inputs = columns._1();
    String[] outputs = columns._2();
    // Spark 4.1 keeps the surrogates as an array beside their column names (surrogateDF is built
    // from them and would need a SparkSession, which a model read without Spark does not have).
    List<String> surrogateColumns = Arrays.asList(model.columnNames());
    ColumnLayout.Slot[] in = new ColumnLayout.Slot[inputs.length];
    int[] out = new int[inputs.length];
    double[] surrogates = new double[inputs.length];
    NumericType[] types = new NumericType[inputs.length];
    for (int i = 0; i < inputs.length; i++) {
      in[i] = layout.get(inputs[i]);
      if (in[i].kind() == ColumnLayout.Kind.ONE_HOT || in[i].kind() == ColumnLayout.Kind.VECTOR) {
        throw new IllegalArgumentException("imputer input " + inputs[i] + " must be a number, found a vector");
      }
      types[i] = numericType(inputs[i], schema.apply(inputs[i]).dataType());
      int column = surrogateColumns.indexOf(inputs[i]);
      if (column < 0) {
        throw new IllegalArgumentException("imputer " + model.uid() + " has no surrogate for " + inputs[i]);
      }
      surrogates[i] = model.surrogates()[column];
      out[i] = layout.number(outputs[i]).index();
    }
    return new ImputerRow(in, out, surrogates, types, model.getMissingValue());
  }

  @Override
  public void apply(RowFrame row) {
    for (int i = 0; i < in.length; i++) {
      double value;
      if (row.isMissing(in[i])) {
        value = surrogates[i];
      } else {
        double d = row.number(in[i]);
        value = d == missingValue || (Double.isNaN(d) && Double.isNaN(missingValue)) ? surrogates[i] : d;
      }
      row.numbers[out[i]] = castBack(value, types[i]);
    }
  }

  private static NumericType numericType(String column, DataType type) {
    if (type.equals(DataTypes.IntegerType)) {
      return NumericType.INT;
    }
    if (type.equals(DataTypes.LongType)) {
      return NumericType.BIGINT;
    }
    if (type.equals(DataTypes.FloatType)) {
      return NumericType.FLOAT;
    }
    if (type.equals(DataTypes.DoubleType)) {
      return NumericType.DOUBLE;
    }
    throw new IllegalArgumentException("imputer input " + column + " has type " + type.simpleString()
        + "; the row scorer imputes int, bigint, float and double columns");
  }

  /** Spark's final cast(inputType), seen as the double the assembler then reads. */
  private static double castBack(double value, NumericType type) {
    return switch (type) {
      case INT -> (int) value;
      case BIGINT -> (long) value;
      case FLOAT -> (float) value;
      case DOUBLE -> value;
    };
  }
}

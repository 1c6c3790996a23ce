package org.healthpredict.serving.scoring;

/**
 * One record's columns while the row stages run. Where each column lives is fixed when the scorer
 * is built ({@link ColumnLayout}), so a row costs two arrays instead of a map of column names.
 */
final class RowFrame {

  /** Raw and engineered values (boxed as Spark hands them to a UDF), and assembled vectors. */
  final Object[] values;
  /** Plain numbers: imputed values, category indices, one-hot positions. */
  final double[] numbers;

  RowFrame(int values, int numbers) {
    this.values = new Object[values];
    this.numbers = new double[numbers];
  }

  /** Whether a numeric column has no value; only boxed values can be null, computed numbers never are. */
  boolean isMissing(ColumnLayout.Slot slot) {
    return slot.kind() == ColumnLayout.Kind.VALUE && values[slot.index()] == null;
  }

  /** The number in a numeric slot; the caller has checked {@link #isMissing}. */
  double number(ColumnLayout.Slot slot) {
    return slot.kind() == ColumnLayout.Kind.VALUE
        ? ((Number) values[slot.index()]).doubleValue()
        : numbers[slot.index()];
  }
}

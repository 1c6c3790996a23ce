package org.healthpredict.serving.scoring;

import org.apache.spark.ml.feature.OneHotEncoderModel;
import scala.Tuple2;

/**
 * {@link OneHotEncoderModel} for one record, kept as the position of the single 1 (or none) rather
 * than a vector. Spark's rules: an index outside [0, categorySize) is invalid and, with "keep",
 * takes position categorySize; the vector's size is categorySize, +1 for "keep" without dropLast,
 * -1 for dropLast without "keep"; a position at or past the size encodes as all zeros.
 */
final class OneHotRow implements RowStage {

  private final String[] columns;
  private final ColumnLayout.Slot[] in;
  private final int[] out;
  private final int[] categorySizes;
  private final int[] vectorSizes;
  private final boolean keepInvalid;

  private OneHotRow(OneHotEncoderModel model, ColumnLayout layout) {
    Tuple2<String[], String[]> inOut = model.getInOutCols();
    columns = inOut._1();
    categorySizes = model.categorySizes().clone();
    keepInvalid = "keep".equals(model.getHandleInvalid());
    boolean dropLast = model.getDropLast();
    in = new ColumnLayout.Slot[columns.length];
    out = new int[columns.length];
    vectorSizes = new int[columns.length];
    for (int i = 0; i < columns.length; i++) {
      in[i] = layout.get(columns[i]);
      if (in[i].kind() == ColumnLayout.Kind.ONE_HOT || in[i].kind() == ColumnLayout.Kind.VECTOR) {
        throw new IllegalArgumentException("one-hot input " + columns[i] + " must be a category index, found a vector");
      }
      int size = categorySizes[i];
      if (dropLast && !keepInvalid) {
        size -= 1;
      } else if (!dropLast && keepInvalid) {
        size += 1;
      }
      vectorSizes[i] = size;
      out[i] = layout.oneHot(inOut._2()[i], size).index();
    }
  }

  static OneHotRow of(OneHotEncoderModel model, ColumnLayout layout) {
    return new OneHotRow(model, layout);
  }

  @Override
  public void apply(RowFrame row) {
    for (int i = 0; i < in.length; i++) {
      if (row.isMissing(in[i])) {
        throw new IllegalArgumentException("column " + columns[i] + ": a null category index cannot be one-hot encoded");
      }
      double label = row.number(in[i]);
      double position;
      if (label >= 0 && label < categorySizes[i]) {
        position = label;
      } else if (keepInvalid) {
        position = categorySizes[i];
      } else {
        throw new IllegalArgumentException("column " + columns[i] + ": category index " + label
            + " was not seen in fitting and the encoder's handleInvalid is not 'keep'");
      }
      row.numbers[out[i]] = position < vectorSizes[i] ? (int) position : -1;
    }
  }
}

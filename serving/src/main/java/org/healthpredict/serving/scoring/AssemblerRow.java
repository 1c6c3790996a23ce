package org.healthpredict.serving.scoring;

import java.util.Arrays;
import org.apache.spark.ml.feature.VectorAssembler;

/**
 * {@link VectorAssembler} for one record, into a dense array at the offsets Spark gives each input.
 * As in Spark: a NaN number or a null input is refused unless handleInvalid is "keep" (then NaN,
 * for a vector input NaN in each of its places), and zeros are not stored (so no -0.0 appears).
 */
final class AssemblerRow implements RowStage {

  private final ColumnLayout.Slot[] in;
  private final int[] offsets;
  private final int size;
  private final int out;
  private final boolean keepInvalid;

  private AssemblerRow(VectorAssembler assembler, ColumnLayout layout) {
    String[] columns = assembler.getInputCols();
    in = new ColumnLayout.Slot[columns.length];
    offsets = new int[columns.length];
    int offset = 0;
    for (int i = 0; i < columns.length; i++) {
      in[i] = layout.get(columns[i]);
      offsets[i] = offset;
      offset += in[i].size();
    }
    size = offset;
    out = layout.vector(assembler.getOutputCol(), size).index();
    keepInvalid = "keep".equals(assembler.getHandleInvalid());
  }

  static AssemblerRow of(VectorAssembler assembler, ColumnLayout layout) {
    return new AssemblerRow(assembler, layout);
  }

  @Override
  public void apply(RowFrame row) {
    double[] vector = new double[size];
    for (int i = 0; i < in.length; i++) {
      ColumnLayout.Slot slot = in[i];
      int at = offsets[i];
      switch (slot.kind()) {
        case ONE_HOT -> {
          int position = (int) row.numbers[slot.index()];
          if (position >= 0) {
            vector[at + position] = 1.0;
          }
        }
        case VECTOR -> {
          double[] values = (double[]) row.values[slot.index()];
          if (values == null) {
            fillInvalid(vector, slot, at);
          } else {
            for (int k = 0; k < values.length; k++) {
              if (values[k] != 0.0) {
                vector[at + k] = values[k];
              }
            }
          }
        }
        default -> {
          if (row.isMissing(slot)) {
            fillInvalid(vector, slot, at);
          } else {
            double value = row.number(slot);
            if (Double.isNaN(value) && !keepInvalid) {
              throw new IllegalArgumentException("column " + slot.column() + " is NaN and the assembler's "
                  + "handleInvalid is not 'keep'");
            }
            if (value != 0.0) {
              vector[at] = value;
            }
          }
        }
      }
    }
    row.values[out] = vector;
  }

  private void fillInvalid(double[] vector, ColumnLayout.Slot slot, int at) {
    if (!keepInvalid) {
      throw new IllegalArgumentException("column " + slot.column() + " is null and the assembler's handleInvalid "
          + "is not 'keep'");
    }
    Arrays.fill(vector, at, at + slot.size(), Double.NaN);
  }
}

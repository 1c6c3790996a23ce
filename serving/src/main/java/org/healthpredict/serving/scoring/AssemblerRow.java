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
  /** Per input, copied out of its slot so the per-record loop reads plain arrays. */
  private final ColumnLayout.Kind[] kinds;
  private final int[] slots;
  /** Per one-hot input, how many hot places it holds. */
  private final int[] places;
  private final int[] offsets;
  private final int size;
  private final int out;
  private final boolean keepInvalid;

  private AssemblerRow(VectorAssembler assembler, ColumnLayout layout) {
    String[] columns = assembler.getInputCols();
    in = new ColumnLayout.Slot[columns.length];
    kinds = new ColumnLayout.Kind[columns.length];
    slots = new int[columns.length];
    places = new int[columns.length];
    offsets = new int[columns.length];
    int offset = 0;
    for (int i = 0; i < columns.length; i++) {
      in[i] = layout.get(columns[i]);
      kinds[i] = in[i].kind();
      slots[i] = in[i].index();
      places[i] = in[i].places();
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
    for (int i = 0; i < slots.length; i++) {
      int at = offsets[i];
      ColumnLayout.Kind kind = kinds[i];
      if (kind == ColumnLayout.Kind.ONE_HOT) {
        for (int p = slots[i], end = p + places[i]; p < end; p++) {
          int position = (int) row.numbers[p];
          if (position >= 0) {
            vector[at + position] = 1.0;
          }
        }
      } else if (kind == ColumnLayout.Kind.NUMBER) {
        put(vector, at, row.numbers[slots[i]], i);
      } else if (kind == ColumnLayout.Kind.VALUE) {
        Object value = row.values[slots[i]];
        if (value == null) {
          fillInvalid(vector, in[i], at);
        } else {
          put(vector, at, ((Number) value).doubleValue(), i);
        }
      } else {
        double[] values = (double[]) row.values[slots[i]];
        if (values == null) {
          fillInvalid(vector, in[i], at);
        } else {
          for (int k = 0; k < values.length; k++) {
            if (values[k] != 0.0) {
              vector[at + k] = values[k];
            }
          }
        }
      }
    }
    row.values[out] = vector;
  }

  private void put(double[] vector, int at, double value, int input) {
    if (Double.isNaN(value) && !keepInvalid) {
      throw new IllegalArgumentException("column " + in[input].column() + " is NaN and the assembler's "
          + "handleInvalid is not 'keep'");
    }
    if (value != 0.0) {
      vector[at] = value;
    }
  }

  private void fillInvalid(double[] vector, ColumnLayout.Slot slot, int at) {
    if (!keepInvalid) {
      throw new IllegalArgumentException("column " + slot.column() + " is null and the assembler's handleInvalid "
          + "is not 'keep'");
    }
    Arrays.fill(vector, at, at + slot.size(), Double.NaN);
  }
}

package org.healthpredict.serving.scoring;

import java.util.HashMap;
import java.util.Map;
import org.healthpredict.core.features.CategoryOneHotModel;

/**
 * {@link CategoryOneHotModel} for one record: a vector with, per input column, a 1 at the label's
 * place in the column's block, or at the block's last place for a value not seen in fitting or null.
 * Only those places are written (a one-hot slot with one place per column), not the whole vector:
 * the assembler sets the ones directly in its own array.
 */
final class CategoryOneHotRow implements RowStage {

  private final int[] in;
  private final Map<String, Integer>[] placeOf;
  private final int[] unseen;
  /** The first of the slot's places in {@link RowFrame#numbers}: column c's goes at {@code out + c}. */
  private final int out;

  @SuppressWarnings("unchecked")
  private CategoryOneHotRow(CategoryOneHotModel model, ColumnLayout layout) {
    String[] columns = model.getInputCols();
    String[][] labels = model.labelsArray();
    in = new int[columns.length];
    placeOf = new Map[columns.length];
    unseen = new int[columns.length];
    int[] starts = model.blockStarts();
    for (int c = 0; c < columns.length; c++) {
      in[c] = layout.valueIndex(columns[c]);
      placeOf[c] = new HashMap<>();
      for (int i = 0; i < labels[c].length; i++) {
        placeOf[c].put(labels[c][i], starts[c] + i);
      }
      unseen[c] = starts[c] + labels[c].length;
    }
    out = layout.oneHot(model.getOutputCol(), model.size(), columns.length).index();
  }

  static CategoryOneHotRow of(CategoryOneHotModel model, ColumnLayout layout) {
    return new CategoryOneHotRow(model, layout);
  }

  @Override
  public void apply(RowFrame row) {
    for (int c = 0; c < in.length; c++) {
      Object value = row.values[in[c]];
      Integer place = value == null ? null : placeOf[c].get(value instanceof String s ? s : value.toString());
      row.numbers[out + c] = place == null ? unseen[c] : place;
    }
  }
}

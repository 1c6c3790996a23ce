package org.healthpredict.serving.scoring;

import java.util.HashSet;
import java.util.Set;
import org.healthpredict.core.features.Categories;
import org.healthpredict.core.features.FillMissingCategories;
import org.healthpredict.core.features.TopCategoriesModel;

/** Row versions of the two category-cleaning stages, calling the same {@link Categories} rules. */
final class CategoryRows {

  private CategoryRows() {}

  /** {@link TopCategoriesModel}: the value if kept, "other" otherwise, "missing" for null. */
  static RowStage topCategories(TopCategoriesModel model, ColumnLayout layout) {
    int in = layout.valueIndex(model.getInputCol());
    int out = layout.value(model.getOutputCol()).index();
    Set<String> kept = new HashSet<>(model.getCategories());
    return row -> row.values[out] = Categories.bucket((String) row.values[in], kept);
  }

  /** {@link FillMissingCategories}: null becomes "missing", in place (a new slot under the same name). */
  static RowStage fillMissing(FillMissingCategories stage, ColumnLayout layout) {
    String[] columns = stage.getInputCols();
    int[] in = new int[columns.length];
    int[] out = new int[columns.length];
    for (int i = 0; i < columns.length; i++) {
      in[i] = layout.valueIndex(columns[i]);
      out[i] = layout.value(columns[i]).index();
    }
    return row -> {
      Object[] v = row.values;
      for (int i = 0; i < in.length; i++) {
        v[out[i]] = Categories.orMissing((String) v[in[i]]);
      }
    };
  }
}

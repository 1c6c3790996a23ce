package org.healthpredict.core.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.healthpredict.core.data.RawSchema;
import org.healthpredict.core.testing.SampleData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FillMissingCategoriesTest {

  private static final String[] COLUMNS = {"race", "medical_specialty", "payer_code", "A1Cresult", "metformin"};

  @Test
  void filledColumnsEqualTheJavaFunctionOnEverySampleValue() {
    List<Row> original = SampleData.typed().orderBy(RawSchema.ENCOUNTER_ID).select(columns()).collectAsList();
    List<Row> filled = new FillMissingCategories().setInputCols(COLUMNS).transform(SampleData.typed())
        .orderBy(RawSchema.ENCOUNTER_ID).select(columns()).collectAsList();
    assertThat(filled).hasSameSizeAs(original);
    int nulls = 0;
    for (int i = 0; i < original.size(); i++) {
      for (int c = 0; c < COLUMNS.length; c++) {
        String before = original.get(i).getString(c);
        nulls += before == null ? 1 : 0;
        assertThat(filled.get(i).getString(c)).isEqualTo(Categories.orMissing(before));
      }
    }
    // The sample has "?" in race, medical_specialty and payer_code, so the null path was exercised.
    assertThat(nulls).isGreaterThan(1000);
  }

  private static org.apache.spark.sql.Column[] columns() {
    return java.util.Arrays.stream(COLUMNS).map(org.apache.spark.sql.functions::col)
        .toArray(org.apache.spark.sql.Column[]::new);
  }

  @Test
  void rejectsANonStringColumnNamingIt() {
    assertThatThrownBy(() -> new FillMissingCategories().setInputCols("time_in_hospital").transform(SampleData.typed()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("time_in_hospital").hasMessageContaining("int");
  }

  @Test
  void reloadsWithItsColumns(@TempDir Path dir) throws Exception {
    String path = dir.resolve("fill").toString();
    new FillMissingCategories().setInputCols(COLUMNS).save(path);
    assertThat(FillMissingCategories.<FillMissingCategories>read().load(path).getInputCols()).containsExactly(COLUMNS);
  }
}

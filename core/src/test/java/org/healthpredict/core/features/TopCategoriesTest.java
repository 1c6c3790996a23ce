package org.healthpredict.core.features;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.healthpredict.core.testing.SampleData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TopCategoriesTest {

  private static TopCategories specialty() {
    return new TopCategories().setInputCol("medical_specialty").setOutputCol("specialty_top");
  }

  private static String bucketOf(Dataset<Row> out, long encounterId) {
    return out.where(col("encounter_id").equalTo(encounterId)).select("specialty_top")
        .as(Encoders.STRING()).first();
  }

  @Test
  void learnsTheTenMostFrequentSpecialtiesIgnoringNulls() {
    // Counted in the CSV: 1,519 rows have "?" (null), which must not take one of the ten places.
    TopCategoriesModel model = specialty().fit(SampleData.typed());
    assertThat(model.getCategories()).containsExactly(
        "InternalMedicine", "Family/GeneralPractice", "Cardiology", "Surgery-General",
        "Orthopedics-Reconstructive", "Nephrology", "Psychiatry", "Pulmonology",
        "Surgery-Cardiovascular/Thoracic", "ObstetricsandGynecology");
  }

  @Test
  void mapsRareValuesToOtherAndNullToMissing() {
    Dataset<Row> out = specialty().fit(SampleData.typed()).transform(SampleData.typed());
    assertThat(bucketOf(out, 2278392L)).isEqualTo("other");        // Pediatrics-Endocrinology, 52 rows
    assertThat(bucketOf(out, 149190L)).isEqualTo("missing");       // "?"
    assertThat(bucketOf(out, 12175656L)).isEqualTo("Nephrology");
    assertThat(out.select("specialty_top").distinct().count()).isEqualTo(12);
  }

  @Test
  void kLimitsHowManyValuesAreKept() {
    TopCategoriesModel model = specialty().setK(3).fit(SampleData.typed());
    assertThat(model.getCategories()).containsExactly("InternalMedicine", "Family/GeneralPractice", "Cardiology");
  }

  @Test
  void fittedModelReloadsWithItsLearnedList(@TempDir Path dir) throws Exception {
    TopCategoriesModel model = specialty().setK(4).fit(SampleData.typed());
    String path = dir.resolve("model").toString();
    model.save(path);
    TopCategoriesModel loaded = TopCategoriesModel.<TopCategoriesModel>read().load(path);
    assertThat(loaded.getCategories()).isEqualTo(model.getCategories());
    assertThat(loaded.getInputCol()).isEqualTo("medical_specialty");
    assertThat(loaded.getOutputCol()).isEqualTo("specialty_top");
    List<Row> before = model.transform(SampleData.typed()).select("specialty_top").collectAsList();
    assertThat(loaded.transform(SampleData.typed()).select("specialty_top").collectAsList()).isEqualTo(before);
  }

  @Test
  void estimatorReloadsWithItsParams(@TempDir Path dir) throws Exception {
    String path = dir.resolve("estimator").toString();
    specialty().setK(7).save(path);
    TopCategories loaded = TopCategories.<TopCategories>read().load(path);
    assertThat(loaded.getK()).isEqualTo(7);
    assertThat(loaded.getInputCol()).isEqualTo("medical_specialty");
  }
}

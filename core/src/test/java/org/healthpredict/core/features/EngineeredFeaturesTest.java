package org.healthpredict.core.features;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.healthpredict.core.data.RawSchema;
import org.healthpredict.core.testing.SampleData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EngineeredFeaturesTest {

  private static Row engineered(long encounterId) {
    Dataset<Row> out = new EngineeredFeatures().transform(SampleData.typed())
        .where(col(RawSchema.ENCOUNTER_ID).equalTo(encounterId));
    List<Row> rows = out.collectAsList();
    assertThat(rows).as("sample row %s", encounterId).hasSize(1);
    return rows.get(0);
  }

  @Test
  void firstSampleRowIsAChildWithADiabetesDiagnosisAndNothingElse() {
    // CSV: 2278392,...,[0-10),?,6,25,1,...,0,0,0,250.83,?,?,1,None,None, all 23 meds No
    Row r = engineered(2278392L);
    assertThat(r.<Double>getAs(EngineeredFeatures.AGE_YEARS)).isEqualTo(5.0);
    assertThat(r.<String>getAs(EngineeredFeatures.DIAG_1_GROUP)).isEqualTo("diabetes");
    assertThat(r.<String>getAs(EngineeredFeatures.DIAG_2_GROUP)).isEqualTo("missing");
    assertThat(r.<String>getAs(EngineeredFeatures.DIAG_3_GROUP)).isEqualTo("missing");
    assertThat(r.<Integer>getAs(EngineeredFeatures.TOTAL_VISITS)).isZero();
    assertThat(r.<Integer>getAs(EngineeredFeatures.MEDS_CHANGED)).isZero();
    assertThat(r.<Integer>getAs(EngineeredFeatures.MEDS_IN_USE)).isZero();
    assertThat(r.<Integer>getAs(EngineeredFeatures.A1C_MEASURED)).isZero();
    assertThat(r.<Integer>getAs(EngineeredFeatures.GLU_MEASURED)).isZero();
    assertThat(r.<String>getAs(EngineeredFeatures.ADMISSION_TYPE)).isEqualTo("NULL");
    assertThat(r.<String>getAs(EngineeredFeatures.DISCHARGE_DISPOSITION)).isEqualTo("Not Mapped");
    assertThat(r.<String>getAs(EngineeredFeatures.ADMISSION_SOURCE)).isEqualTo("Physician Referral");
  }

  @Test
  void secondSampleRowHasInsulinRaisedAndADiabetesSecondaryDiagnosis() {
    // CSV: 149190,...,[10-20),?,1,1,7,...,0,0,0,276,250.01,255,9,None,None, insulin Up, others No
    Row r = engineered(149190L);
    assertThat(r.<Double>getAs(EngineeredFeatures.AGE_YEARS)).isEqualTo(15.0);
    assertThat(r.<String>getAs(EngineeredFeatures.DIAG_1_GROUP)).isEqualTo("other");
    assertThat(r.<String>getAs(EngineeredFeatures.DIAG_2_GROUP)).isEqualTo("diabetes");
    assertThat(r.<String>getAs(EngineeredFeatures.DIAG_3_GROUP)).isEqualTo("other");
    assertThat(r.<Integer>getAs(EngineeredFeatures.MEDS_CHANGED)).isEqualTo(1);
    assertThat(r.<Integer>getAs(EngineeredFeatures.MEDS_IN_USE)).isEqualTo(1);
    assertThat(r.<String>getAs(EngineeredFeatures.ADMISSION_TYPE)).isEqualTo("Emergency");
    assertThat(r.<String>getAs(EngineeredFeatures.DISCHARGE_DISPOSITION)).isEqualTo("Discharged to home");
    assertThat(r.<String>getAs(EngineeredFeatures.ADMISSION_SOURCE)).isEqualTo("Emergency Room");
  }

  @Test
  void rowWithPriorStaysSeveralDrugsAndAnA1cTestIsCountedByHand() {
    // CSV: 12175656, [70-80), admission 2/1/1, outpatient 0, emergency 0, inpatient 4,
    // diag 8 / 276 / 584, A1Cresult Norm, max_glu_serum None, glipizide Up, pioglitazone Steady, insulin Steady
    Row r = engineered(12175656L);
    assertThat(r.<Double>getAs(EngineeredFeatures.AGE_YEARS)).isEqualTo(75.0);
    assertThat(r.<String>getAs(EngineeredFeatures.DIAG_1_GROUP)).isEqualTo("other");
    assertThat(r.<String>getAs(EngineeredFeatures.DIAG_2_GROUP)).isEqualTo("other");
    assertThat(r.<String>getAs(EngineeredFeatures.DIAG_3_GROUP)).isEqualTo("genitourinary");
    assertThat(r.<Integer>getAs(EngineeredFeatures.TOTAL_VISITS)).isEqualTo(4);
    assertThat(r.<Integer>getAs(EngineeredFeatures.MEDS_CHANGED)).isEqualTo(1);
    assertThat(r.<Integer>getAs(EngineeredFeatures.MEDS_IN_USE)).isEqualTo(3);
    assertThat(r.<Integer>getAs(EngineeredFeatures.A1C_MEASURED)).isEqualTo(1);
    assertThat(r.<Integer>getAs(EngineeredFeatures.GLU_MEASURED)).isZero();
    assertThat(r.<String>getAs(EngineeredFeatures.ADMISSION_TYPE)).isEqualTo("Urgent");
  }

  @Test
  void heartFailureRowHasThreeCirculatoryDiagnoses() {
    // CSV: 17074740, [60-70), diag 428 / 425 / 403, inpatient 3, A1Cresult >8,
    // glyburide Steady, rosiglitazone Steady, insulin Down
    Row r = engineered(17074740L);
    assertThat(r.<Double>getAs(EngineeredFeatures.AGE_YEARS)).isEqualTo(65.0);
    assertThat(List.of(r.<String>getAs(EngineeredFeatures.DIAG_1_GROUP), r.<String>getAs(EngineeredFeatures.DIAG_2_GROUP),
        r.<String>getAs(EngineeredFeatures.DIAG_3_GROUP))).containsOnly("circulatory");
    assertThat(r.<Integer>getAs(EngineeredFeatures.TOTAL_VISITS)).isEqualTo(3);
    assertThat(r.<Integer>getAs(EngineeredFeatures.MEDS_CHANGED)).isEqualTo(1);
    assertThat(r.<Integer>getAs(EngineeredFeatures.MEDS_IN_USE)).isEqualTo(3);
    assertThat(r.<Integer>getAs(EngineeredFeatures.A1C_MEASURED)).isEqualTo(1);
  }

  @Test
  void supplementaryCodesInTheSampleAreOther() {
    // CSV: 183930, diag V57 / 715 / V43
    Row r = engineered(183930L);
    assertThat(r.<String>getAs(EngineeredFeatures.DIAG_1_GROUP)).isEqualTo("other");
    assertThat(r.<String>getAs(EngineeredFeatures.DIAG_2_GROUP)).isEqualTo("musculoskeletal");
    assertThat(r.<String>getAs(EngineeredFeatures.DIAG_3_GROUP)).isEqualTo("other");
  }

  @Test
  void sparkColumnsEqualTheJavaFunctionsOnEverySampleRow() {
    List<Row> rows = new EngineeredFeatures().transform(SampleData.typed()).collectAsList();
    assertThat(rows).hasSize(4999);
    for (Row r : rows) {
      List<String> meds = new ArrayList<>();
      for (String m : RawSchema.MEDICATIONS) {
        meds.add(r.getAs(m));
      }
      assertThat(r.<Double>getAs(EngineeredFeatures.AGE_YEARS)).isEqualTo(AgeBands.midpoint(r.getAs("age")));
      assertThat(r.<String>getAs(EngineeredFeatures.DIAG_1_GROUP)).isEqualTo(Icd9Groups.group(r.getAs("diag_1")));
      assertThat(r.<String>getAs(EngineeredFeatures.DIAG_2_GROUP)).isEqualTo(Icd9Groups.group(r.getAs("diag_2")));
      assertThat(r.<String>getAs(EngineeredFeatures.DIAG_3_GROUP)).isEqualTo(Icd9Groups.group(r.getAs("diag_3")));
      assertThat(r.<Integer>getAs(EngineeredFeatures.TOTAL_VISITS)).isEqualTo(PriorVisits.total(
          r.getAs("number_outpatient"), r.getAs("number_emergency"), r.getAs("number_inpatient")));
      assertThat(r.<Integer>getAs(EngineeredFeatures.MEDS_CHANGED)).isEqualTo(Medications.changed(meds));
      assertThat(r.<Integer>getAs(EngineeredFeatures.MEDS_IN_USE)).isEqualTo(Medications.inUse(meds));
      assertThat(r.<Integer>getAs(EngineeredFeatures.A1C_MEASURED)).isEqualTo(LabTests.measured(r.getAs("A1Cresult")));
      assertThat(r.<String>getAs(EngineeredFeatures.ADMISSION_SOURCE))
          .isEqualTo(IdNames.admissionSource(r.getAs("admission_source_id")));
    }
  }

  @Test
  void sampleHasEveryDiagnosisGroup() {
    List<String> groups = new EngineeredFeatures().transform(SampleData.typed())
        .select(EngineeredFeatures.DIAG_1_GROUP).distinct().as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
    assertThat(groups).contains("circulatory", "respiratory", "digestive", "diabetes", "injury",
        "musculoskeletal", "genitourinary", "neoplasms", "other");
  }

  @Test
  void inputWithoutTheRawColumnsIsRejectedNamingThem() {
    Dataset<Row> noAge = SampleData.typed().drop("age", "insulin");
    assertThatThrownBy(() -> new EngineeredFeatures().transform(noAge))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("age").hasMessageContaining("insulin");
  }

  @Test
  void savedStageReloadsAndGivesTheSameColumns(@TempDir Path dir) throws Exception {
    EngineeredFeatures stage = new EngineeredFeatures();
    String path = dir.resolve("engineered").toString();
    stage.save(path);
    EngineeredFeatures loaded = EngineeredFeatures.<EngineeredFeatures>read().load(path);
    assertThat(loaded.uid()).isEqualTo(stage.uid());
    assertThat(loaded.transform(SampleData.typed()).collectAsList())
        .isEqualTo(stage.transform(SampleData.typed()).collectAsList());
  }
}

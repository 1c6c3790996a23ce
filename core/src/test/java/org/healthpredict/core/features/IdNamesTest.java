package org.healthpredict.core.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.healthpredict.core.testing.ProjectFiles;
import org.junit.jupiter.api.Test;

class IdNamesTest {

  @Test
  void namesDischargeDispositions() {
    assertThat(IdNames.dischargeDisposition(1)).isEqualTo("Discharged to home");
    assertThat(IdNames.dischargeDisposition(11)).isEqualTo("Expired");
    assertThat(IdNames.dischargeDisposition(25)).isEqualTo("Not Mapped");
  }

  @Test
  void keepsCommasInsideQuotedDescriptions() {
    assertThat(IdNames.dischargeDisposition(19)).isEqualTo("Expired at home. Medicaid only, hospice.");
    assertThat(IdNames.dischargeDisposition(21)).isEqualTo("Expired, place unknown. Medicaid only, hospice.");
  }

  @Test
  void readsIdsListedOutOfOrder() {
    assertThat(IdNames.dischargeDisposition(30))
        .isEqualTo("Discharged/transferred to another Type of Health Care Institution not Defined Elsewhere");
    assertThat(IdNames.dischargeDisposition(29)).isEqualTo("Discharged/transferred to a Critical Access Hospital (CAH).");
  }

  @Test
  void namesAdmissionTypes() {
    assertThat(IdNames.admissionType(1)).isEqualTo("Emergency");
    assertThat(IdNames.admissionType(3)).isEqualTo("Elective");
    assertThat(IdNames.admissionType(6)).isEqualTo("NULL");
    assertThat(IdNames.admissionType(8)).isEqualTo("Not Mapped");
  }

  @Test
  void trimsLeadingSpacesOfAdmissionSources() {
    assertThat(IdNames.admissionSource(1)).isEqualTo("Physician Referral");
    assertThat(IdNames.admissionSource(7)).isEqualTo("Emergency Room");
    assertThat(IdNames.admissionSource(26)).isEqualTo("Transfer from Hospice");
  }

  @Test
  void tablesDoNotLeakIntoEachOther() {
    // 26 exists for discharge and source only; 9 for both but with different meanings.
    assertThat(IdNames.admissionType(26)).isEqualTo("unknown");
    assertThat(IdNames.admissionType(9)).isEqualTo("unknown");
    assertThat(IdNames.dischargeDisposition(9)).isEqualTo("Admitted as an inpatient to this hospital");
    assertThat(IdNames.admissionSource(9)).isEqualTo("Not Available");
  }

  @Test
  void unknownIdIsUnknownAndNullIsMissing() {
    assertThat(IdNames.dischargeDisposition(99)).isEqualTo("unknown");
    assertThat(IdNames.admissionSource(-1)).isEqualTo("unknown");
    assertThat(IdNames.admissionType(null)).isEqualTo("missing");
    assertThat(IdNames.dischargeDisposition(null)).isEqualTo("missing");
    assertThat(IdNames.admissionSource(null)).isEqualTo("missing");
  }

  @Test
  void bundledTablesMatchTheSampleDataFile() throws Exception {
    Map<String, Map<Integer, String>> tables = IdNames.parse(Files.readAllLines(ProjectFiles.idsMapping()));
    assertThat(tables).containsOnlyKeys("admission_type_id", "discharge_disposition_id", "admission_source_id");
    assertThat(tables.get("admission_type_id")).hasSize(8);
    assertThat(tables.get("discharge_disposition_id")).hasSize(30);
    assertThat(tables.get("admission_source_id")).hasSize(25);
    for (Map.Entry<Integer, String> e : tables.get("discharge_disposition_id").entrySet()) {
      assertThat(IdNames.dischargeDisposition(e.getKey())).isEqualTo(e.getValue());
    }
  }

  @Test
  void rejectsATableRowWithoutANumericIdNamingTheLine() {
    assertThatThrownBy(() -> IdNames.parse(List.of("admission_type_id,description", "x,Emergency")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("line 2");
  }
}

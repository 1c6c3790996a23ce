package org.healthpredict.core.data.synthetic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import org.healthpredict.core.testing.ProjectFiles;
import org.healthpredict.core.testing.SampleRows;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The drift schedules of conf/drift/ applied by the fitted generator, and the errors a bad spec gets. */
class ScheduledDriftTest {

  private static final long ROWS = 20_000;
  private static final int AGE = FeatureColumns.index("age");
  private static GeneratorModel model;

  @BeforeAll
  static void fit() {
    model = GeneratorFit.fit("sample", SampleRows.raw(), line -> { });
  }

  private static DriftSpec spec(String name) throws IOException {
    return DriftSpec.parse(Files.readString(ProjectFiles.root().resolve("conf/drift/" + name)), name);
  }

  @Test
  void ageShiftMovesEveryDriftedEncounterOneBracketUpFromTheOnset() throws IOException {
    DriftSpec age = spec("age-shift.yaml");
    FittedRows plain = new FittedRows(model, null, 9, ROWS);
    FittedRows drifted = new FittedRows(model, age, 9, ROWS);
    long onset = age.onsetIndex(ROWS);
    long fullFrom = onset + age.rampRows(ROWS);

    assertThat(age.kind()).isEqualTo(DriftSpec.Kind.COVARIATE);
    for (long i = 0; i < onset; i++) {
      assertThat(drifted.encounter(i).drifted()).isFalse();
      assertThat(drifted.row(i)).containsExactly(plain.row(i));
    }
    int moved = 0;
    int ramped = 0;
    for (long i = onset; i < ROWS; i++) {
      FittedRows.Encounter e = drifted.encounter(i);
      String before = FeatureColumns.of(plain.row(i))[AGE];
      String after = FeatureColumns.of(e.fields())[AGE];
      if (i >= fullFrom) {
        assertThat(e.drifted()).isTrue();
      }
      if (e.drifted()) {
        assertThat(after).isEqualTo(before.equals("[90-100)") ? before : nextBracket(before));
        moved++;
      } else {
        assertThat(after).isEqualTo(before);
        ramped++;
      }
    }
    assertThat(moved).isGreaterThan(7000);
    // Over the ramp, the drifted share grows linearly from 0 to 1: about half stay undrifted.
    assertThat((double) ramped).isCloseTo(age.rampRows(ROWS) / 2.0, within(0.2 * age.rampRows(ROWS)));
  }

  private static String nextBracket(String bracket) {
    int lo = Integer.parseInt(bracket.substring(1, bracket.indexOf('-')));
    return "[" + (lo + 10) + "-" + (lo + 20) + ")";
  }

  @Test
  void aNewSpecialtyTakesItsShareOfDriftedEncounters() throws IOException {
    DriftSpec specialty = spec("new-specialty.yaml");
    FittedRows drifted = new FittedRows(model, specialty, 9, ROWS);
    int column = FeatureColumns.index("medical_specialty");
    long fullFrom = specialty.onsetIndex(ROWS) + specialty.rampRows(ROWS);
    long telemedicine = 0;
    for (long i = fullFrom; i < ROWS; i++) {
      telemedicine += FeatureColumns.of(drifted.row(i))[column].equals("Telemedicine") ? 1 : 0;
    }
    assertThat((double) telemedicine / (ROWS - fullFrom)).isCloseTo(0.3, within(0.03));
    for (long i = 0; i < specialty.onsetIndex(ROWS); i++) {
      assertThat(FeatureColumns.of(drifted.row(i))[column]).isNotEqualTo("Telemedicine");
    }
  }

  @Test
  void aConceptShiftKeepsTheFeaturesAndChangesTheRiskOfPriorAdmissions() throws IOException {
    DriftSpec concept = spec("prior-visits-concept.yaml");
    FittedRows plain = new FittedRows(model, null, 9, ROWS);
    FittedRows drifted = new FittedRows(model, concept, 9, ROWS);
    int inpatient = FeatureColumns.index("number_inpatient");
    long fullFrom = concept.onsetIndex(ROWS) + concept.rampRows(ROWS);

    assertThat(concept.kind()).isEqualTo(DriftSpec.Kind.CONCEPT);
    double plainHigh = 0;
    double driftedHigh = 0;
    int high = 0;
    for (long i = 0; i < ROWS; i++) {
      FittedRows.Encounter a = plain.encounter(i);
      FittedRows.Encounter b = drifted.encounter(i);
      assertThat(FeatureColumns.of(b.fields())).containsExactly(FeatureColumns.of(a.fields()));
      if (i < concept.onsetIndex(ROWS)) {
        assertThat(b.probability()).isEqualTo(a.probability());
      }
      if (i >= fullFrom && Integer.parseInt(FeatureColumns.of(a.fields())[inpatient]) >= 2) {
        plainHigh += a.probability();
        driftedHigh += b.probability();
        high++;
      }
    }
    assertThat(high).isGreaterThan(100);
    // Patients with two or more earlier admissions lose most of their extra risk.
    assertThat(driftedHigh / high).isLessThan(0.75 * plainHigh / high);
  }

  @Test
  void everyShippedSpecParses() throws IOException {
    try (var files = Files.list(ProjectFiles.root().resolve("conf/drift"))) {
      assertThat(files.map(f -> f.getFileName().toString()).toList())
          .containsExactlyInAnyOrder("age-shift.yaml", "new-specialty.yaml", "more-medications.yaml",
              "prior-visits-concept.yaml")
          .allSatisfy(name -> assertThat(spec(name).onset()).isEqualTo(0.6));
    }
  }

  @Test
  void aBadSpecIsRefusedNamingTheFileAndField() {
    assertThatThrownBy(() -> DriftSpec.parse("name: x\nonset: 1.5\ncovariate:\n  - column: age\n    shift: 1\n", "a.yaml"))
        .hasMessageContaining("a.yaml: onset: expected a fraction");
    assertThatThrownBy(() -> DriftSpec.parse("name: x\nonset: 0.5\ncovariate:\n  - column: age\n    shift: 1\n    scale: 2\n",
        "b.yaml")).hasMessageContaining("b.yaml: covariate[0] (age): expected exactly one of shift, set, scale");
    assertThatThrownBy(() -> DriftSpec.parse("name: x\nonset: 0.5\ncovariate:\n  - column: race\n    scale: 2\n", "c.yaml"))
        .hasMessageContaining("c.yaml: covariate[0]: scale applies to counts only");
    assertThatThrownBy(() -> DriftSpec.parse("name: x\nonset: 0.5\nconcpt: {}\n", "d.yaml"))
        .hasMessageContaining("d.yaml: unknown field 'concpt'");
    assertThatThrownBy(() -> DriftSpec.parse("name: x\nonset: 0.5\n", "e.yaml"))
        .hasMessageContaining("e.yaml: expected a covariate list, a concept part, or both");
    assertThatThrownBy(() -> DriftSpec.parse("name: x\nonset: 0.5\nconcept:\n  scale:\n    nope: 0\n", "f.yaml"))
        .hasMessageContaining("f.yaml: concept.scale: 'nope' is not a feature column");
  }
}

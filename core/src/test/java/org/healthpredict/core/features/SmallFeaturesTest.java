package org.healthpredict.core.features;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.healthpredict.core.data.RawSchema;
import org.junit.jupiter.api.Test;

class SmallFeaturesTest {

  @Test
  void priorVisitsAddOutpatientEmergencyAndInpatient() {
    assertThat(PriorVisits.total(2, 1, 4)).isEqualTo(7);
    assertThat(PriorVisits.total(0, 0, 0)).isZero();
  }

  @Test
  void priorVisitsAreUnknownWhenAnyPartIsUnknown() {
    assertThat(PriorVisits.total(null, 1, 4)).isNull();
    assertThat(PriorVisits.total(2, null, 4)).isNull();
    assertThat(PriorVisits.total(2, 1, null)).isNull();
  }

  @Test
  void medicationsCountUpAndDownAsChangedAndAllButNoAsInUse() {
    List<String> meds = Arrays.asList("No", "Steady", "Up", "Down", null, "Sideways");
    assertThat(Medications.changed(meds)).isEqualTo(2);
    // Steady, Up, Down and the unexpected "Sideways" are in use; "No" and null are not.
    assertThat(Medications.inUse(meds)).isEqualTo(4);
  }

  @Test
  void noMedicationsMeansZeroCounts() {
    List<String> none = Collections.nCopies(RawSchema.MEDICATIONS.size(), "No");
    assertThat(Medications.changed(none)).isZero();
    assertThat(Medications.inUse(none)).isZero();
  }

  @Test
  void labTestIsMeasuredUnlessNoneOrNull() {
    assertThat(LabTests.measured(">8")).isEqualTo(1);
    assertThat(LabTests.measured("Norm")).isEqualTo(1);
    assertThat(LabTests.measured(">300")).isEqualTo(1);
    assertThat(LabTests.measured("None")).isZero();
    assertThat(LabTests.measured(null)).isZero();
  }

  @Test
  void categoriesFillNullAsMissingAndBucketTheRareAsOther() {
    assertThat(Categories.orMissing(null)).isEqualTo("missing");
    assertThat(Categories.orMissing("Caucasian")).isEqualTo("Caucasian");
    Set<String> kept = Set.of("Cardiology", "InternalMedicine");
    assertThat(Categories.bucket("Cardiology", kept)).isEqualTo("Cardiology");
    assertThat(Categories.bucket("Astrology", kept)).isEqualTo("other");
    assertThat(Categories.bucket(null, kept)).isEqualTo("missing");
  }

  @Test
  void onlyLogisticRegressionNeedsScaling() {
    assertThat(ModelFamily.LR.needsScaling()).isTrue();
    assertThat(ModelFamily.RF.needsScaling()).isFalse();
    assertThat(ModelFamily.GBT.needsScaling()).isFalse();
  }
}

package org.healthpredict.serving.scoring;

import java.util.AbstractList;
import java.util.List;
import org.healthpredict.core.data.RawSchema;
import org.healthpredict.core.features.AgeBands;
import org.healthpredict.core.features.EngineeredFeatures;
import org.healthpredict.core.features.Icd9Groups;
import org.healthpredict.core.features.IdNames;
import org.healthpredict.core.features.LabTests;
import org.healthpredict.core.features.Medications;
import org.healthpredict.core.features.PriorVisits;

/**
 * {@link EngineeredFeatures} for one record: the very functions the Spark stage wraps in UDFs
 * (feature logic is written once: docs/architecture.md), called on the record's slots and writing the same twelve columns.
 */
final class EngineeredRow implements RowStage {

  private final int age;
  private final int diag1;
  private final int diag2;
  private final int diag3;
  private final int outpatient;
  private final int emergency;
  private final int inpatient;
  private final int a1c;
  private final int glucose;
  private final int admissionType;
  private final int discharge;
  private final int admissionSource;
  private final int[] medications;

  private final int ageOut;
  private final int diag1Out;
  private final int diag2Out;
  private final int diag3Out;
  private final int visitsOut;
  private final int changedOut;
  private final int inUseOut;
  private final int a1cOut;
  private final int glucoseOut;
  private final int admissionTypeOut;
  private final int dischargeOut;
  private final int admissionSourceOut;

  EngineeredRow(ColumnLayout layout) {
    age = in(layout, "age");
    diag1 = in(layout, "diag_1");
    diag2 = in(layout, "diag_2");
    diag3 = in(layout, "diag_3");
    outpatient = in(layout, "number_outpatient");
    emergency = in(layout, "number_emergency");
    inpatient = in(layout, "number_inpatient");
    a1c = in(layout, "A1Cresult");
    glucose = in(layout, "max_glu_serum");
    admissionType = in(layout, "admission_type_id");
    discharge = in(layout, RawSchema.DISCHARGE_DISPOSITION_ID);
    admissionSource = in(layout, "admission_source_id");
    medications = RawSchema.MEDICATIONS.stream().mapToInt(m -> in(layout, m)).toArray();
    // Registered in the order the Spark stage adds them, so the names map to the same columns.
    ageOut = out(layout, EngineeredFeatures.AGE_YEARS);
    diag1Out = out(layout, EngineeredFeatures.DIAG_1_GROUP);
    diag2Out = out(layout, EngineeredFeatures.DIAG_2_GROUP);
    diag3Out = out(layout, EngineeredFeatures.DIAG_3_GROUP);
    visitsOut = out(layout, EngineeredFeatures.TOTAL_VISITS);
    changedOut = out(layout, EngineeredFeatures.MEDS_CHANGED);
    inUseOut = out(layout, EngineeredFeatures.MEDS_IN_USE);
    a1cOut = out(layout, EngineeredFeatures.A1C_MEASURED);
    glucoseOut = out(layout, EngineeredFeatures.GLU_MEASURED);
    admissionTypeOut = out(layout, EngineeredFeatures.ADMISSION_TYPE);
    dischargeOut = out(layout, EngineeredFeatures.DISCHARGE_DISPOSITION);
    admissionSourceOut = out(layout, EngineeredFeatures.ADMISSION_SOURCE);
  }

  @Override
  public void apply(RowFrame row) {
    Object[] v = row.values;
    v[ageOut] = AgeBands.midpoint((String) v[age]);
    v[diag1Out] = Icd9Groups.group((String) v[diag1]);
    v[diag2Out] = Icd9Groups.group((String) v[diag2]);
    v[diag3Out] = Icd9Groups.group((String) v[diag3]);
    v[visitsOut] = PriorVisits.total((Integer) v[outpatient], (Integer) v[emergency], (Integer) v[inpatient]);
    List<String> meds = new SlotList(v, medications);
    v[changedOut] = Medications.changed(meds);
    v[inUseOut] = Medications.inUse(meds);
    v[a1cOut] = LabTests.measured((String) v[a1c]);
    v[glucoseOut] = LabTests.measured((String) v[glucose]);
    v[admissionTypeOut] = IdNames.admissionType((Integer) v[admissionType]);
    v[dischargeOut] = IdNames.dischargeDisposition((Integer) v[discharge]);
    v[admissionSourceOut] = IdNames.admissionSource((Integer) v[admissionSource]);
  }

  private static int in(ColumnLayout layout, String column) {
    return layout.valueIndex(column);
  }

  private static int out(ColumnLayout layout, String column) {
    return layout.value(column).index();
  }

  /** The medication columns as the list the Spark stage builds with array(...), without copying them. */
  private static final class SlotList extends AbstractList<String> {
    private final Object[] values;
    private final int[] slots;

    SlotList(Object[] values, int[] slots) {
      this.values = values;
      this.slots = slots;
    }

    @Override
    public String get(int i) {
      return (String) values[slots[i]];
    }

    @Override
    public int size() {
      return slots.length;
    }
  }
}

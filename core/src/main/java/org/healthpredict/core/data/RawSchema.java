package org.healthpredict.core.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** The 50-column raw schema of the UCI "Diabetes 130-US Hospitals" data and the typed form the split writes. */
public final class RawSchema {

  /** Bumped whenever the typed output schema of `split` changes; recorded in every manifest. */
  public static final int VERSION = 1;

  public static final String ENCOUNTER_ID = "encounter_id";
  public static final String PATIENT_NBR = "patient_nbr";
  public static final String READMITTED = "readmitted";
  public static final String TARGET = "readmitted_binary";
  public static final String DISCHARGE_DISPOSITION_ID = "discharge_disposition_id";

  /** The raw file's missing-value marker. */
  public static final String MISSING = "?";

  /** Values of `readmitted`; `<30` is the positive class. */
  public static final Set<String> READMITTED_VALUES = Set.of("NO", ">30", "<30");
  public static final String READMITTED_POSITIVE = "<30";

  /**
   * Discharge dispositions meaning the patient died or went to hospice (11 Expired, 13/14 Hospice,
   * 19-21 Expired ...): such encounters cannot be readmitted, so they are excluded from modelling.
   */
  public static final Set<Integer> TERMINAL_DISPOSITIONS = Set.of(11, 13, 14, 19, 20, 21);

  /** The 23 medication columns, each No / Steady / Up / Down. */
  public static final List<String> MEDICATIONS = List.of(
      "metformin", "repaglinide", "nateglinide", "chlorpropamide", "glimepiride", "acetohexamide",
      "glipizide", "glyburide", "tolbutamide", "pioglitazone", "rosiglitazone", "acarbose", "miglitol",
      "troglitazone", "tolazamide", "examide", "citoglipton", "insulin", "glyburide-metformin",
      "glipizide-metformin", "glimepiride-pioglitazone", "metformin-rosiglitazone",
      "metformin-pioglitazone");

  /** Column kind in the typed output: 64-bit ids, 32-bit counts/codes, or text categories. */
  public enum Kind { ID, INT, TEXT }

  private static final Map<String, Kind> COLUMNS = buildColumns();

  private RawSchema() {}

  private static Map<String, Kind> buildColumns() {
    Map<String, Kind> c = new LinkedHashMap<>();
    c.put(ENCOUNTER_ID, Kind.ID);
    c.put(PATIENT_NBR, Kind.ID);
    c.put("race", Kind.TEXT);
    c.put("gender", Kind.TEXT);
    c.put("age", Kind.TEXT);
    c.put("weight", Kind.TEXT);
    c.put("admission_type_id", Kind.INT);
    c.put(DISCHARGE_DISPOSITION_ID, Kind.INT);
    c.put("admission_source_id", Kind.INT);
    c.put("time_in_hospital", Kind.INT);
    c.put("payer_code", Kind.TEXT);
    c.put("medical_specialty", Kind.TEXT);
    c.put("num_lab_procedures", Kind.INT);
    c.put("num_procedures", Kind.INT);
    c.put("num_medications", Kind.INT);
    c.put("number_outpatient", Kind.INT);
    c.put("number_emergency", Kind.INT);
    c.put("number_inpatient", Kind.INT);
    c.put("diag_1", Kind.TEXT);
    c.put("diag_2", Kind.TEXT);
    c.put("diag_3", Kind.TEXT);
    c.put("number_diagnoses", Kind.INT);
    c.put("max_glu_serum", Kind.TEXT);
    c.put("A1Cresult", Kind.TEXT);
    for (String med : MEDICATIONS) {
      c.put(med, Kind.TEXT);
    }
    c.put("change", Kind.TEXT);
    c.put("diabetesMed", Kind.TEXT);
    c.put(READMITTED, Kind.TEXT);
    return Collections.unmodifiableMap(c);
  }

  /** The 50 raw column names in the published file's order. */
  public static List<String> columns() {
    return List.copyOf(COLUMNS.keySet());
  }

  public static Kind kind(String column) {
    Kind kind = COLUMNS.get(column);
    if (kind == null) {
      throw new IllegalArgumentException("not a raw column: " + column);
    }
    return kind;
  }

  /** Columns that may never be missing: without them a row cannot be placed in time, by patient or labelled. */
  public static boolean isRequiredValue(String column) {
    return column.equals(ENCOUNTER_ID) || column.equals(PATIENT_NBR) || column.equals(READMITTED)
        || column.equals(DISCHARGE_DISPOSITION_ID);
  }

  /** The Spark schema of validated rows: raw columns typed, plus the binary target. */
  public static StructType typedSchema() {
    List<StructField> fields = new ArrayList<>();
    for (Map.Entry<String, Kind> e : COLUMNS.entrySet()) {
      boolean nullable = !isRequiredValue(e.getKey());
      fields.add(DataTypes.createStructField(e.getKey(), sparkType(e.getValue()), nullable));
    }
    fields.add(DataTypes.createStructField(TARGET, DataTypes.IntegerType, false));
    return DataTypes.createStructType(fields);
  }

  private static org.apache.spark.sql.types.DataType sparkType(Kind kind) {
    return switch (kind) {
      case ID -> DataTypes.LongType;
      case INT -> DataTypes.IntegerType;
      case TEXT -> DataTypes.StringType;
    };
  }
}

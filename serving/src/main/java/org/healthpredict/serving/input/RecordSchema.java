package org.healthpredict.serving.input;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.types.StructField;
import org.healthpredict.core.data.RawSchema;

/**
 * The request record: for every field of {@link RawSchema#typedSchema()} the rule its JSON value
 * must follow, and the names a client may use for it (the data set's column name, and for the
 * hyphenated medication columns its snake_case alias, e.g. {@code glyburide_metformin}).
 *
 * <p>Required are the columns the data set never leaves empty; the rest (race, weight, payer code,
 * specialty, diagnoses, lab results, identifiers) may be missing, as they are in the data. Ranges
 * are the data set's own: its encounters are stays of 1 to 14 days, ages come in ten-year brackets,
 * the id columns are codes of IDs_mapping.csv (a code added later is accepted: it scores as unknown).
 */
public final class RecordSchema {

  public static final Set<String> AGE_BRACKETS = Set.of("[0-10)", "[10-20)", "[20-30)", "[30-40)", "[40-50)",
      "[50-60)", "[60-70)", "[70-80)", "[80-90)", "[90-100)");
  private static final Set<String> DOSAGE = Set.of("No", "Steady", "Up", "Down");
  /** Sanity bound for counts: far above anything in the data set, low enough to catch unit mistakes. */
  private static final int MAX_COUNT = 1000;
  private static final int MAX_TEXT = 64;

  private final List<String> fields;
  private final FieldRule[] rules;
  private final Map<String, Integer> indexByName;
  /** Each column's name, pre-encoded for the parser's byte-compare fast path ({@link RecordReader}). */
  private final SerializableString[] encodedNames;
  private final int[] required;

  private RecordSchema() {
    List<StructField> typed = List.of(RawSchema.typedSchema().fields());
    fields = typed.stream().map(StructField::name).toList();
    rules = new FieldRule[fields.size()];
    indexByName = new HashMap<>();
    List<Integer> req = new ArrayList<>();
    for (int i = 0; i < fields.size(); i++) {
      String name = fields.get(i);
      rules[i] = ruleFor(name);
      indexByName.put(name, i);
      indexByName.putIfAbsent(name.replace('-', '_'), i);
      if (rules[i].required()) {
        req.add(i);
      }
    }
    required = req.stream().mapToInt(Integer::intValue).toArray();
    encodedNames = fields.stream().map(SerializedString::new).toArray(SerializableString[]::new);
  }

  private static final RecordSchema INSTANCE = new RecordSchema();

  public static RecordSchema get() {
    return INSTANCE;
  }

  /** Index of a request field name in the typed record, or -1 when the name is not a column. */
  public int index(String name) {
    Integer i = indexByName.get(name);
    return i == null ? -1 : i;
  }

  /** The column name at {@code index}, encoded for {@code JsonParser.nextFieldName(SerializableString)}. */
  public SerializableString encodedName(int index) {
    return encodedNames[index];
  }

  public int size() {
    return fields.size();
  }

  public String field(int index) {
    return fields.get(index);
  }

  public FieldRule rule(int index) {
    return rules[index];
  }

  int[] requiredIndexes() {
    return required;
  }

  /** Every accepted field name, with the rule in a form a person reads (for the OpenAPI document). */
  public Map<String, FieldRule> rulesByField() {
    Map<String, FieldRule> out = new java.util.LinkedHashMap<>();
    for (int i = 0; i < fields.size(); i++) {
      out.put(fields.get(i), rules[i]);
    }
    return out;
  }

  private static FieldRule ruleFor(String name) {
    if (name.equals(RawSchema.READMITTED) || name.equals(RawSchema.TARGET)) {
      return new FieldRule.Ignored();
    }
    if (RawSchema.MEDICATIONS.contains(name)) {
      return new FieldRule.Vocabulary(true, DOSAGE);
    }
    return switch (name) {
      case RawSchema.ENCOUNTER_ID, RawSchema.PATIENT_NBR -> new FieldRule.Id(false);
      case "gender" -> new FieldRule.Vocabulary(true, Set.of("Female", "Male", "Unknown/Invalid"));
      case "age" -> new FieldRule.Vocabulary(true, AGE_BRACKETS);
      case "max_glu_serum" -> new FieldRule.Vocabulary(false, Set.of("None", "Norm", ">200", ">300"));
      case "A1Cresult" -> new FieldRule.Vocabulary(false, Set.of("None", "Norm", ">7", ">8"));
      case "change" -> new FieldRule.Vocabulary(true, Set.of("No", "Ch"));
      case "diabetesMed" -> new FieldRule.Vocabulary(true, Set.of("No", "Yes"));
      case "admission_type_id", RawSchema.DISCHARGE_DISPOSITION_ID, "admission_source_id" ->
          new FieldRule.IntRange(true, 1, 999, "a code of IDs_mapping.csv");
      case "time_in_hospital" -> new FieldRule.IntRange(true, 1, 14, "days in hospital; the data set holds stays of 1 to 14 days");
      case "num_lab_procedures", "num_procedures", "num_medications", "number_outpatient", "number_emergency",
          "number_inpatient", "number_diagnoses" -> new FieldRule.IntRange(true, 0, MAX_COUNT, "a count");
      default -> new FieldRule.FreeText(false, MAX_TEXT);
    };
  }

  /** Required field names, for documentation and error messages. */
  public Set<String> requiredFields() {
    Set<String> out = new LinkedHashSet<>();
    for (int i : required) {
      out.add(fields.get(i));
    }
    return out;
  }
}

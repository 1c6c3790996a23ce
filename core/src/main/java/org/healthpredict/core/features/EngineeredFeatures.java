package org.healthpredict.core.features;

import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.api.java.UDF3;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.healthpredict.core.data.RawSchema;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Spark stage adding the engineered columns to typed encounters by calling the plain Java feature
 * functions ({@link AgeBands}, {@link Icd9Groups}, {@link PriorVisits}, {@link Medications},
 * {@link LabTests}, {@link IdNames}), so Spark and the row scorer share one definition. It learns
 * nothing, so it is a Transformer with no state to persist beyond its uid.
 */
public final class EngineeredFeatures extends FeatureTransformer {

  private static final long serialVersionUID = 1L;

  public static final String AGE_YEARS = "age_years";
  public static final String DIAG_1_GROUP = "diag_1_group";
  public static final String DIAG_2_GROUP = "diag_2_group";
  public static final String DIAG_3_GROUP = "diag_3_group";
  public static final String TOTAL_VISITS = "total_visits";
  public static final String MEDS_CHANGED = "meds_changed";
  public static final String MEDS_IN_USE = "meds_in_use";
  public static final String A1C_MEASURED = "a1c_measured";
  public static final String GLU_MEASURED = "glu_measured";
  public static final String ADMISSION_TYPE = "admission_type";
  public static final String DISCHARGE_DISPOSITION = "discharge_disposition";
  public static final String ADMISSION_SOURCE = "admission_source";

  /** Engineered numeric columns, in output order. */
  public static final List<String> NUMERIC_OUTPUTS = List.of(
      AGE_YEARS, TOTAL_VISITS, MEDS_CHANGED, MEDS_IN_USE, A1C_MEASURED, GLU_MEASURED);
  /** Engineered categorical columns (never null), in output order. */
  public static final List<String> CATEGORICAL_OUTPUTS = List.of(
      DIAG_1_GROUP, DIAG_2_GROUP, DIAG_3_GROUP, ADMISSION_TYPE, DISCHARGE_DISPOSITION, ADMISSION_SOURCE);

  private static final List<String> INPUTS = inputs();

  private static final UserDefinedFunction AGE = functions.udf(
      (UDF1<String, Double>) AgeBands::midpoint, DataTypes.DoubleType);
  private static final UserDefinedFunction DIAG = functions.udf(
      (UDF1<String, String>) Icd9Groups::group, DataTypes.StringType).asNonNullable();
  private static final UserDefinedFunction VISITS = functions.udf(
      (UDF3<Integer, Integer, Integer, Integer>) PriorVisits::total, DataTypes.IntegerType);
  // Spark hands an array column to a Java UDF as a Scala Seq; the view below copies nothing.
  private static final UserDefinedFunction CHANGED = functions.udf(
      (UDF1<scala.collection.Seq<String>, Integer>) meds -> Medications.changed(CollectionConverters.asJava(meds)),
      DataTypes.IntegerType).asNonNullable();
  private static final UserDefinedFunction IN_USE = functions.udf(
      (UDF1<scala.collection.Seq<String>, Integer>) meds -> Medications.inUse(CollectionConverters.asJava(meds)),
      DataTypes.IntegerType).asNonNullable();
  private static final UserDefinedFunction MEASURED = functions.udf(
      (UDF1<String, Integer>) LabTests::measured, DataTypes.IntegerType).asNonNullable();
  private static final UserDefinedFunction ADMISSION_TYPE_NAME = functions.udf(
      (UDF1<Integer, String>) IdNames::admissionType, DataTypes.StringType).asNonNullable();
  private static final UserDefinedFunction DISCHARGE_NAME = functions.udf(
      (UDF1<Integer, String>) IdNames::dischargeDisposition, DataTypes.StringType).asNonNullable();
  private static final UserDefinedFunction ADMISSION_SOURCE_NAME = functions.udf(
      (UDF1<Integer, String>) IdNames::admissionSource, DataTypes.StringType).asNonNullable();


  public EngineeredFeatures() {
    this(Identifiable$.MODULE$.randomUID("engineeredFeatures"));
  }

  /** Used by Spark when loading a saved pipeline. */
  public EngineeredFeatures(String uid) {
    super(uid);
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    transformSchema(dataset.schema(), true);
    Dataset<Row> typed = dataset.toDF().withColumns(casts(dataset.schema()));
    Column meds = functions.array(RawSchema.MEDICATIONS.stream().map(functions::col).toArray(Column[]::new));
    Map<String, Column> added = new LinkedHashMap<>();
    added.put(AGE_YEARS, AGE.apply(col("age")));
    added.put(DIAG_1_GROUP, DIAG.apply(col("diag_1")));
    added.put(DIAG_2_GROUP, DIAG.apply(col("diag_2")));
    added.put(DIAG_3_GROUP, DIAG.apply(col("diag_3")));
    added.put(TOTAL_VISITS, VISITS.apply(col("number_outpatient"), col("number_emergency"), col("number_inpatient")));
    added.put(MEDS_CHANGED, CHANGED.apply(meds));
    added.put(MEDS_IN_USE, IN_USE.apply(meds));
    added.put(A1C_MEASURED, MEASURED.apply(col("A1Cresult")));
    added.put(GLU_MEASURED, MEASURED.apply(col("max_glu_serum")));
    added.put(ADMISSION_TYPE, ADMISSION_TYPE_NAME.apply(col("admission_type_id")));
    added.put(DISCHARGE_DISPOSITION, DISCHARGE_NAME.apply(col(RawSchema.DISCHARGE_DISPOSITION_ID)));
    added.put(ADMISSION_SOURCE, ADMISSION_SOURCE_NAME.apply(col("admission_source_id")));
    return typed.withColumns(added);
  }

  /**
   * Raw columns whose type differs from {@link RawSchema#typedSchema()}, cast to it. Records that do
   * not come from `split` (a pandas frame through MLflow's pyfunc, JSON in serving) arrive with longs
   * for ints, or an untyped (void) column when every value is missing; the Java functions expect
   * the split's types.
   */
  private static Map<String, Column> casts(StructType schema) {
    Map<String, Column> casts = new LinkedHashMap<>();
    for (StructField expected : RawSchema.typedSchema().fields()) {
      if (List.of(schema.fieldNames()).contains(expected.name())
          && !schema.apply(expected.name()).dataType().equals(expected.dataType())) {
        casts.put(expected.name(), col(expected.name()).cast(expected.dataType()));
      }
    }
    return casts;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    List<String> absent = new ArrayList<>();
    for (String input : INPUTS) {
      if (!List.of(schema.fieldNames()).contains(input)) {
        absent.add(input);
      }
    }
    if (!absent.isEmpty()) {
      throw new IllegalArgumentException("engineered features need the raw columns " + absent
          + ", which the input lacks; expected the typed schema of RawSchema.typedSchema()");
    }
    StructType out = schema;
    for (StructField expected : RawSchema.typedSchema().fields()) {
      if (List.of(schema.fieldNames()).contains(expected.name())
          && !schema.apply(expected.name()).dataType().equals(expected.dataType())) {
        out = put(out, expected.name(), expected.dataType(), true);
      }
    }
    out = put(out, AGE_YEARS, DataTypes.DoubleType, true);
    for (String diag : List.of(DIAG_1_GROUP, DIAG_2_GROUP, DIAG_3_GROUP)) {
      out = put(out, diag, DataTypes.StringType, false);
    }
    out = put(out, TOTAL_VISITS, DataTypes.IntegerType, true);
    for (String count : List.of(MEDS_CHANGED, MEDS_IN_USE, A1C_MEASURED, GLU_MEASURED)) {
      out = put(out, count, DataTypes.IntegerType, false);
    }
    for (String name : List.of(ADMISSION_TYPE, DISCHARGE_DISPOSITION, ADMISSION_SOURCE)) {
      out = put(out, name, DataTypes.StringType, false);
    }
    return out;
  }

  /** Adds a field, or replaces it in place when the input already has it (as withColumns does). */
  private static StructType put(StructType schema, String name, DataType type, boolean nullable) {
    if (List.of(schema.fieldNames()).contains(name)) {
      int i = schema.fieldIndex(name);
      var fields = schema.fields().clone();
      fields[i] = DataTypes.createStructField(name, type, nullable);
      return DataTypes.createStructType(fields);
    }
    return schema.add(name, type, nullable);
  }

  @Override
  public EngineeredFeatures copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  private static List<String> inputs() {
    List<String> in = new ArrayList<>(List.of("age", "diag_1", "diag_2", "diag_3", "number_outpatient",
        "number_emergency", "number_inpatient", "A1Cresult", "max_glu_serum", "admission_type_id",
        RawSchema.DISCHARGE_DISPOSITION_ID, "admission_source_id"));
    in.addAll(RawSchema.MEDICATIONS);
    return List.copyOf(in);
  }
}

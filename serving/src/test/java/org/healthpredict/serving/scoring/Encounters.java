package org.healthpredict.serving.scoring;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.healthpredict.core.data.RawSchema;
import org.healthpredict.core.split.SplitRunner;

/** Encounters as the row scorer receives them (typed values in schema order) and as Spark does. */
final class Encounters {

  static final StructType TYPED = RawSchema.typedSchema();

  private Encounters() {}

  /** A part of a split ("train", "test", "future" ...) with the typed schema's columns in order. */
  static Dataset<Row> part(SparkSession spark, String splitUri, String part) {
    Dataset<Row> rows = spark.read().parquet(splitUri + "/" + SplitRunner.PART_PATHS.get(part));
    return rows.select(Arrays.stream(TYPED.fieldNames()).map(functions::col).toArray(org.apache.spark.sql.Column[]::new));
  }

  static List<Object[]> typed(Dataset<Row> rows) {
    List<Object[]> out = new ArrayList<>();
    for (Row r : rows.collectAsList()) {
      Object[] values = new Object[TYPED.fields().length];
      for (int i = 0; i < values.length; i++) {
        values[i] = r.get(i);
      }
      out.add(values);
    }
    return out;
  }

  static Dataset<Row> frame(SparkSession spark, List<Object[]> records) {
    return spark.createDataFrame(records.stream().map(RowFactory::create).toList(), TYPED);
  }

  /**
   * Records the data never shows, derived from a real one (fresh encounter ids from {@code firstId}):
   * every nullable column null at once; each nullable column null on its own; and values unseen in
   * fitting: a new race, medical specialty, ICD-9 codes (well-formed and not), medication dose, lab
   * result, age bracket and admission codes.
   */
  static List<Object[]> unusual(Object[] template, long firstId) {
    List<Object[]> out = new ArrayList<>();
    Object[] allNull = template.clone();
    StructField[] fields = TYPED.fields();
    for (int i = 0; i < fields.length; i++) {
      if (fields[i].nullable()) {
        allNull[i] = null;
      }
    }
    out.add(allNull);
    for (int i = 0; i < fields.length; i++) {
      if (fields[i].nullable() && template[i] != null) {
        Object[] oneNull = template.clone();
        oneNull[i] = null;
        out.add(oneNull);
      }
    }
    Object[] unseen = template.clone();
    set(unseen, "race", "Martian");
    set(unseen, "gender", "Unknown/Other");
    set(unseen, "medical_specialty", "Astrology");
    set(unseen, "diag_1", "E9999");
    set(unseen, "diag_2", "1234.5");
    set(unseen, "diag_3", "not-a-code");
    set(unseen, "metformin", "Sideways");
    set(unseen, "A1Cresult", ">12");
    set(unseen, "age", "[200-210)");
    set(unseen, "admission_type_id", 99);
    set(unseen, RawSchema.DISCHARGE_DISPOSITION_ID, 98);
    set(unseen, "admission_source_id", 97);
    out.add(unseen);
    for (int k = 0; k < out.size(); k++) {
      set(out.get(k), RawSchema.ENCOUNTER_ID, firstId + k);
    }
    return out;
  }

  static void set(Object[] record, String column, Object value) {
    record[TYPED.fieldIndex(column)] = value;
  }

  static long encounterId(Object[] record) {
    return (Long) record[TYPED.fieldIndex(RawSchema.ENCOUNTER_ID)];
  }
}

package org.healthpredict.core.split;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.healthpredict.core.data.RawSchema;

/**
 * Labels every validated encounter with the part it belongs to: excluded (death or hospice), train,
 * validation, test (the initial data, patient-disjoint) or future (the later encounters, kept for
 * drift simulation).
 */
public final class EncounterSplitter {

  /** Column holding the part name; the writer partitions by it. */
  public static final String PART = "part";
  public static final String EXCLUDED = "excluded";
  public static final String FUTURE = "future";

  private final SplitOptions options;

  public EncounterSplitter(SplitOptions options) {
    this.options = options;
  }

  /** The split of one input: rows with their part, and the last encounter_id of the initial data. */
  public record Labelled(Dataset<Row> rows, long modellingRows, long initialRows, Long initialCutoffId) {}

  /** True for an encounter that ended in death or hospice: it is excluded from modelling. */
  public static Column terminal() {
    return col(RawSchema.DISCHARGE_DISPOSITION_ID).isin(RawSchema.TERMINAL_DISPOSITIONS.toArray());
  }

  /**
   * Labels accepted rows, given how many of them are for modelling (not {@link #terminal()}): the
   * caller counts them in a pass it makes anyway, so the split spends no Spark job on that alone.
   */
  public Labelled label(Dataset<Row> accepted, long modellingRows) {
    Column terminal = terminal();
    Dataset<Row> modelling = accepted.filter(functions.not(terminal));
    long initialRows = Math.round(modellingRows * options.initialFraction());
    Long cutoff = initialRows == 0 ? null : nthSmallestEncounterId(modelling, initialRows);

    PatientAssignment assignment = options.patientAssignment();
    UserDefinedFunction patientPart = functions.udf(
        (UDF1<Long, String>) assignment::partOf, DataTypes.StringType);
    Column initial = cutoff == null ? lit(false) : col(RawSchema.ENCOUNTER_ID).leq(cutoff);
    Column part = when(terminal, lit(EXCLUDED))
        .when(initial, patientPart.apply(col(RawSchema.PATIENT_NBR)))
        .otherwise(lit(FUTURE));
    return new Labelled(accepted.withColumn(PART, part), modellingRows, initialRows, cutoff);
  }

  /** Exact, without collecting ids to the driver: Spark sorts the id column and keeps the first n. */
  private static long nthSmallestEncounterId(Dataset<Row> modelling, long n) {
    if (n > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("initial data larger than " + Integer.MAX_VALUE + " rows");
    }
    Row r = modelling.select(RawSchema.ENCOUNTER_ID)
        .orderBy(col(RawSchema.ENCOUNTER_ID))
        .limit((int) n)
        .agg(max(RawSchema.ENCOUNTER_ID))
        .first();
    return r.getLong(0);
  }
}

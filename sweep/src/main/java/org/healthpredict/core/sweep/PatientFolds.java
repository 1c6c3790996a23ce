package org.healthpredict.core.sweep;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.xxhash64;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Assigns each encounter a cross-validation fold by its patient: a seeded hash of {@code patient_nbr}
 * modulo k, so every encounter of a patient lands in the same fold and no patient is both trained on
 * and validated on. The hash needs no shuffle and gives the same folds on every run and cluster.
 */
public final class PatientFolds {

  /** The fold column added to the featurised rows. */
  public static final String FOLD = "cv_fold";
  static final String PATIENT = "patient_nbr";

  private PatientFolds() {}

  public static Dataset<Row> assign(Dataset<Row> rows, int folds, long seed) {
    return rows.withColumn(FOLD, pmod(xxhash64(lit(seed), col(PATIENT)), lit((long) folds)).cast("int"));
  }
}

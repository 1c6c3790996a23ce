package org.healthpredict.core.storage;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/** A data set written as Parquet through an {@link AtomicOutput}: all of it appears at once, or nothing. */
public final class ParquetOutput {

  private ParquetOutput() {}

  /**
   * Writes the rows, replacing what was at the URI, and returns how many were written (read back);
   * {@code what} names them in errors, e.g. "batch 3".
   */
  public static long write(SparkSession spark, Dataset<Row> rows, String uri, String what) {
    AtomicOutput output = AtomicOutput.begin(spark.sparkContext().hadoopConfiguration(), uri, what);
    try {
      rows.write().mode(SaveMode.ErrorIfExists).parquet(output.stagingUri());
      long written = spark.read().parquet(output.stagingUri()).count();
      output.commit();
      return written;
    } catch (Exception e) { // Spark's Scala code throws checked exceptions (SparkException) undeclared
      throw output.failed(e);
    }
  }
}

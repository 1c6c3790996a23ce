package org.healthpredict.core.data.synthetic;

import static org.apache.spark.sql.functions.col;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.healthpredict.core.data.RawSchema;
import org.healthpredict.core.evaluation.BinaryMetrics;
import org.healthpredict.core.evaluation.ScoredPairs;

/**
 * The best score any model can reach on generated rows: the teacher's own probabilities (from a
 * generated data set's {@code oracle/}) scored against the rows' labels.
 */
public final class GeneratedOracle {

  private GeneratedOracle() {}

  /**
   * The oracle's metrics on labelled rows (with {@code encounter_id} and the binary target), e.g. a
   * split's test part. Every row must be in the oracle: rows from another data set are refused.
   */
  public static BinaryMetrics score(SparkSession spark, Dataset<Row> labelled, String oracleUri) {
    Dataset<Row> oracle = spark.read().parquet(oracleUri)
        .select(col(RawSchema.ENCOUNTER_ID), col(SyntheticEncounters.ORACLE_PROBABILITY));
    List<Row> pairs = labelled.select(col(RawSchema.ENCOUNTER_ID), col(RawSchema.TARGET))
        .join(oracle, RawSchema.ENCOUNTER_ID)
        .select(col(SyntheticEncounters.ORACLE_PROBABILITY), col(RawSchema.TARGET).cast("double"))
        .collectAsList();
    long rows = labelled.count();
    if (pairs.size() != rows) {
      throw new IllegalArgumentException(oracleUri + ": holds the oracle of " + pairs.size() + " of the " + rows
          + " rows to score; expected all of them (were these rows generated with it?)");
    }
    double[] p = new double[pairs.size()];
    double[] y = new double[pairs.size()];
    for (int i = 0; i < p.length; i++) {
      p[i] = pairs.get(i).getDouble(0);
      y[i] = pairs.get(i).getDouble(1);
    }
    return new ScoredPairs(p, y).metrics();
  }
}

package org.healthpredict.core.evaluation;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * Fairness and calibration views of a scored test set, because this is a clinical model: the same
 * metrics per subgroup (race, gender, age band), and observed vs predicted readmission per
 * probability decile.
 */
public final class SubgroupEvaluation {

  /** The subgroup columns, read from the raw record. */
  public static final List<String> GROUP_COLUMNS = List.of("race", "gender", "age");

  private SubgroupEvaluation() {}

  /** Metrics of one subgroup; {@code metrics} is null when the group lacks positives or negatives. */
  public record Subgroup(String column, String value, long rows, long positives, BinaryMetrics metrics) {}

  /** One probability bin: how many encounters, mean predicted probability, observed readmission rate. */
  public record CalibrationBin(double lower, double upper, long rows, double meanPredicted, double observedRate) {}

  public static List<Subgroup> bySubgroup(Dataset<Row> scored, String labelCol, String probabilityCol) {
    List<Subgroup> out = new ArrayList<>();
    for (String column : GROUP_COLUMNS) {
      Dataset<Row> withGroup = scored.withColumn("_group", functions.coalesce(col(column), lit("missing")));
      List<Row> groups = withGroup.groupBy("_group")
          .agg(count(lit(1)), functions.sum(col(labelCol).cast("long")))
          .orderBy("_group").collectAsList();
      for (Row g : groups) {
        String value = g.getString(0);
        long rows = g.getLong(1);
        long positives = g.isNullAt(2) ? 0 : g.getLong(2);
        BinaryMetrics metrics = positives == 0 || positives == rows ? null
            : BinaryEvaluation.evaluate(withGroup.filter(col("_group").equalTo(value)), labelCol, probabilityCol);
        out.add(new Subgroup(column, value, rows, positives, metrics));
      }
    }
    return out;
  }

  public static List<CalibrationBin> calibration(Dataset<Row> scored, String labelCol, String probabilityCol, int bins) {
    Dataset<Row> binned = scored
        .withColumn("_p", BinaryEvaluation.positiveProbability(probabilityCol))
        .withColumn("_bin", least(floor(col("_p").multiply(bins)), lit(bins - 1)).cast("int"));
    Map<Integer, Row> byBin = new LinkedHashMap<>();
    for (Row r : binned.groupBy("_bin").agg(count(lit(1)), avg("_p"), avg(col(labelCol).cast("double")))
        .collectAsList()) {
      byBin.put(r.getInt(0), r);
    }
    List<CalibrationBin> out = new ArrayList<>();
    for (int b = 0; b < bins; b++) {
      Row r = byBin.get(b);
      out.add(r == null ? new CalibrationBin((double) b / bins, (double) (b + 1) / bins, 0, Double.NaN, Double.NaN)
          : new CalibrationBin((double) b / bins, (double) (b + 1) / bins, r.getLong(1), r.getDouble(2), r.getDouble(3)));
    }
    return out;
  }
}

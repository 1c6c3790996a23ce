package org.healthpredict.core.features;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * How often each value (null included) occurs in some string columns, counted in one Spark job:
 * the counts every category-learning stage of the feature pipeline needs, from a single pass.
 */
final class ValueCounts {

  private ValueCounts() {}

  /** One map per column, in the order given; a null value is counted under the null key. */
  static List<Map<String, Long>> of(Dataset<Row> data, List<String> columns) {
    int n = columns.size();
    ArrayList<HashMap<String, Long>> zero = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      zero.add(new HashMap<>());
    }
    // An RDD aggregate is one job; a groupBy would shuffle, and adaptive execution runs every
    // shuffle stage as a job of its own.
    List<HashMap<String, Long>> counts = data.select(columns.stream().map(functions::col).toArray(Column[]::new))
        .javaRDD()
        .aggregate(zero, (acc, row) -> {
          for (int i = 0; i < n; i++) {
            acc.get(i).merge(row.getString(i), 1L, Long::sum);
          }
          return acc;
        }, (a, b) -> {
          for (int i = 0; i < n; i++) {
            Map<String, Long> into = a.get(i);
            b.get(i).forEach((value, count) -> into.merge(value, count, Long::sum));
          }
          return a;
        });
    return List.copyOf(counts);
  }
}

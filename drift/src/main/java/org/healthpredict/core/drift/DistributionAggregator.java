package org.healthpredict.core.drift;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.Tuple2;

/**
 * Counts every monitored feature's values on both sides in one Spark job: each partition tallies its
 * rows into one hash map per side and feature, the partial counts are summed by key, and only the
 * distinct values and their counts reach the driver — a few thousand rows whatever the data size — so
 * categorical counts are exact. (An unpivot-and-group-by in Spark SQL gives the same counts but creates
 * one row per cell: 118 million for 1M vs 1M rows, eight times slower on two cores.)
 *
 * <p>This is exact for numbers too because the schema's numerical columns are integer counts and
 * age-band midpoints (a few hundred distinct values at most); the one continuous column, the model's
 * probability, is rounded to a 0.0001 grid before it gets here.
 */
public final class DistributionAggregator {

  private static final String SIDE = "__drift_side";
  private static final int REFERENCE = 0;
  private static final int CURRENT = 1;
  /** Stands for "no value" in the tallies; a string no column holds. */
  private static final String MISSING = "\u0000missing";

  /** One cell of the tally: a side, a feature (by position) and one of its values. */
  record Key(int side, int feature, Object value) implements Serializable {}

  /** Distributions by feature name, for the given features (columns of both data sets). */
  public Map<String, FeatureDistribution> aggregate(Dataset<Row> reference, Dataset<Row> current,
      List<MonitoredFeature> features) {
    List<Column> columns = new ArrayList<>();
    features.forEach(f -> columns.add(f.kind() == FeatureKind.NUMERICAL
        ? col(f.name()).cast("double") : col(f.name()).cast("string")));
    Dataset<Row> both = reference.select(side(REFERENCE, columns)).union(current.select(side(CURRENT, columns)));
    int width = features.size();
    List<Tuple2<Key, Long>> counted = both.javaRDD()
        .mapPartitionsToPair(rows -> tally(rows, width))
        .reduceByKey(Long::sum)
        .collect();

    Map<String, Tally[]> tallies = new HashMap<>();
    for (MonitoredFeature f : features) {
      tallies.put(f.name(), new Tally[] {new Tally(), new Tally()});
    }
    for (Tuple2<Key, Long> cell : counted) {
      Key key = cell._1();
      Tally t = tallies.get(features.get(key.feature()).name())[key.side()];
      long n = cell._2();
      if (key.value() instanceof Double d && !d.isNaN()) {
        t.numbers.merge(d, n, Long::sum);
      } else if (key.value() instanceof String s && !s.equals(MISSING)) {
        t.categories.merge(s, n, Long::sum);
      } else {
        t.missing += n;
      }
    }
    Map<String, FeatureDistribution> out = new LinkedHashMap<>();
    for (MonitoredFeature f : features) {
      Tally[] t = tallies.get(f.name());
      out.put(f.name(), new FeatureDistribution(t[REFERENCE].counts(f.kind()), t[CURRENT].counts(f.kind()),
          t[REFERENCE].missing, t[CURRENT].missing));
    }
    return out;
  }

  private static Column[] side(int side, List<Column> columns) {
    List<Column> out = new ArrayList<>();
    out.add(lit(side).as(SIDE));
    out.addAll(columns);
    return out.toArray(Column[]::new);
  }

  /** One partition's counts: a hash map per side and feature, so a row costs one lookup per feature. */
  private static Iterator<Tuple2<Key, Long>> tally(Iterator<Row> rows, int width) {
    List<List<Map<Object, long[]>>> maps = List.of(new ArrayList<>(), new ArrayList<>());
    for (List<Map<Object, long[]>> side : maps) {
      for (int i = 0; i < width; i++) {
        side.add(new HashMap<>());
      }
    }
    while (rows.hasNext()) {
      Row row = rows.next();
      List<Map<Object, long[]>> side = maps.get(row.getInt(0));
      for (int i = 0; i < width; i++) {
        Object value = row.isNullAt(i + 1) ? MISSING : row.get(i + 1);
        long[] count = side.get(i).get(value);
        if (count == null) {
          side.get(i).put(value, new long[] {1});
        } else {
          count[0]++;
        }
      }
    }
    List<Tuple2<Key, Long>> out = new ArrayList<>();
    for (int s = 0; s < 2; s++) {
      for (int i = 0; i < width; i++) {
        for (Map.Entry<Object, long[]> e : maps.get(s).get(i).entrySet()) {
          out.add(new Tuple2<>(new Key(s, i, e.getKey()), e.getValue()[0]));
        }
      }
    }
    return out.iterator();
  }

  private static final class Tally {
    final TreeMap<Double, Long> numbers = new TreeMap<>();
    final Map<String, Long> categories = new HashMap<>();
    long missing;

    ValueCounts counts(FeatureKind kind) {
      return kind == FeatureKind.NUMERICAL ? NumericCounts.of(numbers) : new CategoryCounts(categories);
    }
  }
}

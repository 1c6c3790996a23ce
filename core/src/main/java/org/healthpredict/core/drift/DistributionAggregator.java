package org.healthpredict.core.drift;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Counts every monitored feature's values on both sides in one Spark job: each row is unpivoted into
 * (side, feature, value) entries and grouped, so only the distinct values and their counts reach the
 * driver — a few thousand rows whatever the data size — and categorical counts are exact.
 *
 * <p>This is exact for numbers too because the schema's numerical columns are integer counts and
 * age-band midpoints (a few hundred distinct values at most); the one continuous column, the model's
 * probability, is rounded to a 0.0001 grid before it gets here.
 */
public final class DistributionAggregator {

  private static final String SIDE = "__drift_side";
  private static final String ENTRY = "__drift_entry";
  private static final int REFERENCE = 0;
  private static final int CURRENT = 1;

  /** Distributions by feature name, for the given features (columns of both data sets). */
  public Map<String, FeatureDistribution> aggregate(Dataset<Row> reference, Dataset<Row> current,
      List<MonitoredFeature> features) {
    Column entries = array(features.stream().map(DistributionAggregator::entry).toArray(Column[]::new));
    Dataset<Row> both = reference.select(lit(REFERENCE).as(SIDE), entries.as(ENTRY))
        .union(current.select(lit(CURRENT).as(SIDE), entries.as(ENTRY)));
    List<Row> counted = both.select(col(SIDE), explode(col(ENTRY)).as("e"))
        .groupBy(col(SIDE), col("e.feature"), col("e.number"), col("e.category"))
        .count()
        .collectAsList();

    Map<String, Tally[]> tallies = new HashMap<>();
    for (MonitoredFeature f : features) {
      tallies.put(f.name(), new Tally[] {new Tally(), new Tally()});
    }
    for (Row r : counted) {
      Tally t = tallies.get(r.getString(1))[r.getInt(0)];
      long n = r.getLong(4);
      if (!r.isNullAt(2) && !Double.isNaN(r.getDouble(2))) {
        t.numbers.merge(r.getDouble(2), n, Long::sum);
      } else if (!r.isNullAt(3)) {
        t.categories.merge(r.getString(3), n, Long::sum);
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

  /** One feature's entry of the unpivoted row: its name and its value in the slot of its kind. */
  private static Column entry(MonitoredFeature f) {
    boolean numeric = f.kind() == FeatureKind.NUMERICAL;
    Column number = numeric ? col(f.name()).cast("double") : lit(null).cast("double");
    Column category = numeric ? lit(null).cast("string") : col(f.name()).cast("string");
    return struct(lit(f.name()).as("feature"), number.as("number"), category.as("category"));
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

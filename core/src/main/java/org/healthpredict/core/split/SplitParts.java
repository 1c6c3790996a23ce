package org.healthpredict.core.split;

import java.util.Arrays;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.healthpredict.core.data.RawSchema;
import org.healthpredict.core.storage.CommitMarker;

/**
 * Reads parts of a split output, telling Spark the schema split writes: inferring it costs a Spark
 * job and a read of Parquet footers per read, whatever the size of the part.
 */
public final class SplitParts {

  /** What split writes, as Spark reads any file source: every column nullable. */
  private static final StructType SCHEMA = DataTypes.createStructType(Arrays.stream(RawSchema.typedSchema().fields())
      .map(f -> DataTypes.createStructField(f.name(), f.dataType(), true))
      .toArray(StructField[]::new));

  private SplitParts() {}

  /** The rows of the named parts (keys of {@link SplitRunner#PART_PATHS}, e.g. "train") of one split output. */
  public static Dataset<Row> read(SparkSession spark, String splitUri, String... parts) {
    String root = splitUri.replaceAll("/+$", "");
    String[] paths = Arrays.stream(parts).map(part -> {
      String path = SplitRunner.PART_PATHS.get(part);
      if (path == null) {
        throw new IllegalArgumentException("no part " + part + " in a split; parts: " + SplitRunner.PART_PATHS.keySet());
      }
      CommitMarker.requireComplete(spark.sparkContext().hadoopConfiguration(), root + "/" + path, "the split part");
      return root + "/" + path;
    }).toArray(String[]::new);
    return spark.read().schema(SCHEMA).parquet(paths);
  }
}

package org.healthpredict.core.training;

import static org.apache.spark.sql.functions.col;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.healthpredict.core.split.SplitManifest;
import org.healthpredict.core.split.SplitParts;
import org.healthpredict.core.storage.CommitMarker;
import org.healthpredict.core.storage.HadoopFiles;

/**
 * What `train` and `tune` fit on: one split output (its train, validation and test parts) plus, for
 * retraining, further encounters (e.g. the batches `next-batch` cut) added to the train part. The
 * feature pipeline is fitted on the train part, so it refits on the union; validation and test stay
 * the split's, so models trained before and after are judged on the same rows.
 *
 * @param splitUri the split output among the inputs
 * @param extraUris the other inputs, in the order given
 * @param manifest the split's manifest
 */
public record TrainingData(String splitUri, List<String> extraUris, SplitManifest manifest, Dataset<Row> train,
    Dataset<Row> validation, Dataset<Row> test) {

  public TrainingData {
    extraUris = List.copyOf(extraUris);
  }

  /**
   * Reads the inputs: exactly one must be a split output (it holds {@code manifest.json}); every other
   * one must be encounters with the split's columns.
   */
  public static TrainingData read(SparkSession spark, List<String> dataUris) {
    if (dataUris.isEmpty()) {
      throw new IllegalArgumentException("--data: at least one input, a split output, is required");
    }
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    List<String> splits = dataUris.stream()
        .filter(uri -> HadoopFiles.exists(hadoop, uri.replaceAll("/+$", "") + "/" + SplitManifest.FILE_NAME)).toList();
    if (splits.size() != 1) {
      throw new IllegalArgumentException("--data: exactly one input must be a split output (a directory with "
          + SplitManifest.FILE_NAME + "), found " + splits.size() + " among " + dataUris);
    }
    String split = splits.get(0);
    List<String> extras = dataUris.stream().filter(uri -> !uri.equals(split)).toList();
    Dataset<Row> train = SplitParts.read(spark, split, "train");
    List<Column> columns = Arrays.stream(train.columns()).map(c -> col(c)).toList();
    for (String extra : extras) {
      train = train.union(extraRows(spark, hadoop, extra, train.columns()).select(columns.toArray(Column[]::new)));
    }
    return new TrainingData(split, extras, SplitManifest.read(hadoop, split), train,
        SplitParts.read(spark, split, "validation"), SplitParts.read(spark, split, "test"));
  }

  /** The split alone, as before retraining inputs existed. */
  public static TrainingData ofSplit(SparkSession spark, String splitUri) {
    return read(spark, List.of(splitUri));
  }

  /** Params recorded on the run beside {@code data} (the split, which `register` reads back). */
  public Map<String, Object> extraParams() {
    return extraUris.isEmpty() ? Map.of() : Map.of("extra_train_data", String.join(",", extraUris));
  }

  private static Dataset<Row> extraRows(SparkSession spark, Configuration hadoop, String uri, String[] expected) {
    if (!HadoopFiles.exists(hadoop, uri)) {
      throw new IllegalArgumentException("--data: " + uri + " does not exist");
    }
    CommitMarker.requireComplete(hadoop, uri, "--data:");
    Dataset<Row> rows = spark.read().parquet(uri);
    List<String> present = List.of(rows.columns());
    List<String> missing = Arrays.stream(expected).filter(c -> !present.contains(c)).toList();
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException("--data: " + uri + " lacks the columns " + missing
          + "; extra training data must be encounters in the split's Parquet format (e.g. a batch of next-batch)");
    }
    return rows;
  }

  /** A description for progress lines, e.g. "out/split + 2 more inputs". */
  public String describe() {
    return extraUris.isEmpty() ? splitUri : splitUri + " + " + extraUris.size() + " more input(s)";
  }
}

package org.healthpredict.core.batch;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.healthpredict.core.data.RawSchema;
import org.healthpredict.core.storage.AtomicFile;
import org.healthpredict.core.storage.CommitMarker;
import org.healthpredict.core.storage.HadoopFiles;
import org.healthpredict.core.storage.ParquetOutput;

/**
 * Cuts the future data into batches in encounter order, one per call, as new data would arrive in
 * production. Durable by construction: the batch is written (atomically) before the cursor state
 * records it (atomically), and a batch is defined by its encounter-id range. A process killed in
 * between leaves the state at the previous batch, so the next call cuts the very same rows again
 * under the same id: nothing is skipped, nothing repeated. Asking for an earlier batch id rewrites
 * that batch from its recorded range, identical, without moving the cursor.
 *
 * <p>A caller that may repeat a call which already succeeded (a scheduler retrying or re-running a
 * task) passes an idempotency key, e.g. its run id: the batch is recorded with the key, and a later
 * call with the same key gets that batch again (rewritten identically) instead of the next one.
 */
public final class BatchCursor {

  private final SparkSession spark;
  private final Consumer<String> progress;
  private final Runnable beforeStateCommit;

  public BatchCursor(SparkSession spark, Consumer<String> progress) {
    this(spark, progress, () -> {});
  }

  /** With a hook run between writing a batch and recording it: where a crash hurts most, for tests. */
  public BatchCursor(SparkSession spark, Consumer<String> progress, Runnable beforeStateCommit) {
    this.spark = spark;
    this.progress = progress;
    this.beforeStateCommit = beforeStateCommit;
  }

  /** What a call did. */
  public sealed interface Result permits Cut, Exhausted {}

  /** A batch written to {@code batch.path()}; {@code again} when it was cut before and rewritten now. */
  public record Cut(CursorState.Batch batch, boolean again) implements Result {}

  /** No future rows left after {@code batchesCut} batches. */
  public record Exhausted(int batchesCut) implements Result {}

  /** The directory of batch {@code id} under the output URI: {@code batch-00001} … */
  public static String batchUri(String outUri, int id) {
    return outUri.replaceAll("/+$", "") + String.format("/batch-%05d", id);
  }

  /**
   * Cuts the next batch, or the batch with {@code batchId} if given (an earlier one is rewritten from
   * its recorded range; the next one is cut; a later one would skip batches and is refused).
   */
  public Result next(String futureUri, long batchSize, String stateUri, String outUri, OptionalInt batchId) {
    return next(futureUri, batchSize, stateUri, outUri, batchId, Optional.empty());
  }

  /**
   * As {@link #next(String, long, String, String, OptionalInt)}; with a {@code key} already recorded,
   * the batch cut under it is rewritten and the cursor stays where it is.
   */
  public Result next(String futureUri, long batchSize, String stateUri, String outUri, OptionalInt batchId,
      Optional<String> key) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
    }
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    CursorState state = HadoopFiles.exists(hadoop, stateUri)
        ? checked(CursorState.fromJson(HadoopFiles.readString(hadoop, stateUri), stateUri), futureUri, batchSize, stateUri)
        : CursorState.start(futureUri, batchSize);
    Dataset<Row> future = read(futureUri);
    Optional<CursorState.Batch> keyed = key.flatMap(state::batchWithKey);
    if (keyed.isPresent() && batchId.isPresent() && batchId.getAsInt() != keyed.get().id()) {
      throw new IllegalArgumentException("key '" + key.get() + "' already cut batch " + keyed.get().id()
          + " (cursor " + stateUri + "), not batch " + batchId.getAsInt());
    }
    int id = keyed.map(CursorState.Batch::id).orElse(batchId.orElse(state.lastId() + 1));
    if (id < 1 || id > state.lastId() + 1) {
      throw new IllegalArgumentException("batch " + id + " cannot be cut: the cursor " + stateUri + " is at batch "
          + state.lastId() + ", so the next is " + (state.lastId() + 1));
    }
    var recorded = state.batch(id);
    if (recorded.isPresent()) {
      CursorState.Batch b = recorded.get();
      long rows = write(range(future, b.firstEncounterId(), b.lastEncounterId()), b.path(), id);
      if (rows != b.rows()) {
        throw new IllegalStateException("batch " + id + " was recorded with " + b.rows() + " rows but the future data "
            + futureUri + " now holds " + rows + " in its range: the future data changed under the cursor");
      }
      progress.accept("batch " + id + " was cut before" + (keyed.isPresent() ? " under key '" + key.get() + "'" : "")
          + "; rewritten from its recorded range, the cursor stays at batch " + state.lastId());
      return new Cut(b, true);
    }

    long after = state.last().map(CursorState.Batch::lastEncounterId).orElse(Long.MIN_VALUE);
    Row bounds = future.select(col(RawSchema.ENCOUNTER_ID)).filter(col(RawSchema.ENCOUNTER_ID).gt(after))
        .orderBy(RawSchema.ENCOUNTER_ID).limit(Math.toIntExact(batchSize))
        .agg(count("*"), min(RawSchema.ENCOUNTER_ID), max(RawSchema.ENCOUNTER_ID)).first();
    if (bounds.getLong(0) == 0) {
      return new Exhausted(state.lastId());
    }
    long first = bounds.getLong(1);
    long last = bounds.getLong(2);
    String path = batchUri(outUri, id);
    progress.accept("cutting batch " + id + ": encounters " + first + ".." + last);
    long rows = write(range(future, first, last), path, id);
    CursorState.Batch batch = new CursorState.Batch(id, first, last, rows, path, key.orElse(null));
    progress.accept("batch " + id + " written to " + path + "; recording it in the cursor " + stateUri);
    beforeStateCommit.run();
    AtomicFile.replace(hadoop, stateUri, state.with(batch).toJson(), "the cursor recording batch " + id
        + " (the batch itself is in place at " + path + " and is cut again, identical, by the next run)");
    return new Cut(batch, false);
  }

  private static CursorState checked(CursorState state, String futureUri, long batchSize, String stateUri) {
    if (!state.future().equals(futureUri) || state.batchSize() != batchSize) {
      throw new IllegalArgumentException("the cursor " + stateUri + " cuts " + state.future() + " in batches of "
          + state.batchSize() + "; asked for " + futureUri + " in batches of " + batchSize
          + ". Use another --state to start a new simulation");
    }
    return state;
  }

  private Dataset<Row> read(String futureUri) {
    if (!HadoopFiles.exists(spark.sparkContext().hadoopConfiguration(), futureUri)) {
      throw new IllegalArgumentException("the future data " + futureUri + " does not exist");
    }
    CommitMarker.requireComplete(spark.sparkContext().hadoopConfiguration(), futureUri, "the future data");
    Dataset<Row> future = spark.read().parquet(futureUri);
    if (!List.of(future.columns()).contains(RawSchema.ENCOUNTER_ID)) {
      throw new IllegalArgumentException("the future data " + futureUri + " has no " + RawSchema.ENCOUNTER_ID
          + " column; expected encounters in the split's Parquet format (a split's future/)");
    }
    return future;
  }

  private static Dataset<Row> range(Dataset<Row> future, long first, long last) {
    return future.filter(col(RawSchema.ENCOUNTER_ID).between(first, last)).orderBy(RawSchema.ENCOUNTER_ID);
  }

  /** Writes the rows atomically, replacing a batch left by a crashed run, and returns how many there were. */
  private long write(Dataset<Row> rows, String uri, int id) {
    return ParquetOutput.write(spark, rows, uri, "batch " + id);
  }
}

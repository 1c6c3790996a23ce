package org.healthpredict.core.data.synthetic;

import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;
import org.healthpredict.core.data.CsvLine;
import org.healthpredict.core.data.RawSchema;
import org.healthpredict.core.storage.AtomicOutput;

/**
 * Generates synthetic raw encounters on Spark and writes them as raw CSV: a directory of part files,
 * each starting with the 50-column header, readable by {@code RawReader} like the real data.
 */
public final class SyntheticEncounters {

  /** Rows per output part file when no partition count is given: about 100 MB of CSV each. */
  static final long ROWS_PER_PARTITION = 500_000;

  private static final String JOB_GROUP_PROPERTY = "spark.jobGroup.id";

  private final SparkSession spark;
  private final Consumer<String> progress;

  public SyntheticEncounters(SparkSession spark, Consumer<String> progress) {
    this.spark = spark;
    this.progress = progress;
  }

  /** What to generate; {@code partitions} 0 means one per {@link #ROWS_PER_PARTITION} rows, at least one per core. */
  public record Options(long rows, long seed, int partitions) {
    public Options {
      if (rows < 1 || rows > SyntheticRows.MAX_ROWS) {
        throw new IllegalArgumentException("rows: expected 1.." + SyntheticRows.MAX_ROWS + ", found " + rows);
      }
      if (partitions < 0) {
        throw new IllegalArgumentException("partitions: expected a positive number, found " + partitions);
      }
    }
  }

  /** What was written. */
  public record Result(long rows, int partitions, String output, SyntheticSource source, double seconds) {}

  /** Loads the source, generates, and replaces {@code outputUri} atomically with the new part files. */
  public Result generate(String sourceUri, String outputUri, Options options) {
    long start = System.nanoTime();
    SyntheticSource source = SyntheticSource.load(spark, sourceUri);
    progress.accept(String.format("source %s: %d rows, %d patients (%.3f encounters per patient)%s",
        sourceUri, source.size(), source.patients(), source.encountersPerPatient(),
        source.rejectedLines() > 0 ? ", " + source.rejectedLines() + " invalid line(s) skipped" : ""));
    int partitions = partitions(options);
    AtomicOutput output = AtomicOutput.begin(spark.sparkContext().hadoopConfiguration(), outputUri);
    progress.accept("writing " + options.rows() + " rows in " + partitions + " part file(s) to " + output.targetUri());
    try {
      write(new SyntheticRows(source, options.seed(), options.rows()), partitions, output.stagingUri());
      output.commit();
    } finally {
      output.abort();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    return new Result(options.rows(), partitions, output.targetUri(), source, seconds);
  }

  /** The synthetic rows as raw CSV lines, one header line leading each partition. */
  public Dataset<String> lines(SyntheticRows rows, int partitions) {
    Broadcast<SyntheticRows> shared = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(rows);
    String header = CsvLine.join(RawSchema.columns());
    return spark.range(0, rows.rows(), 1, partitions).mapPartitions(
        (MapPartitionsFunction<Long, String>) ids -> withHeader(header, shared.value(), ids),
        Encoders.STRING());
  }

  private void write(SyntheticRows rows, int partitions, String stagingUri) {
    SparkContext sc = spark.sparkContext();
    String group = "generate-" + UUID.randomUUID();
    String previousGroup = sc.getLocalProperty(JOB_GROUP_PROPERTY);
    PartProgress listener = new PartProgress(group, partitions, rows.rows(), progress);
    sc.addSparkListener(listener);
    sc.setLocalProperty(JOB_GROUP_PROPERTY, group);
    try {
      lines(rows, partitions).write()
          // A part file split by a record limit would lack its header.
          .option("maxRecordsPerFile", 0)
          .text(stagingUri);
      listener.awaitAllParts();
    } finally {
      sc.setLocalProperty(JOB_GROUP_PROPERTY, previousGroup);
      sc.removeSparkListener(listener);
    }
  }

  private int partitions(Options options) {
    if (options.partitions() > 0) {
      return (int) Math.min(options.partitions(), options.rows());
    }
    long bySize = (options.rows() + ROWS_PER_PARTITION - 1) / ROWS_PER_PARTITION;
    long cores = spark.sparkContext().defaultParallelism();
    return (int) Math.min(options.rows(), Math.max(bySize, cores));
  }

  private static Iterator<String> withHeader(String header, SyntheticRows rows, Iterator<Long> ids) {
    return new Iterator<>() {
      private boolean headerDone;

      // An empty partition gets no header line either, so it never becomes a header-only file.
      @Override
      public boolean hasNext() {
        return ids.hasNext();
      }

      @Override
      public String next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        if (!headerDone) {
          headerDone = true;
          return header;
        }
        return CsvLine.join(Arrays.asList(rows.row(ids.next())));
      }
    };
  }

  /** Reports each finished part file of one generate run (the run's jobs carry its job group). */
  private static final class PartProgress extends SparkListener {
    private final String group;
    private final int partitions;
    private final long rows;
    private final Consumer<String> progress;
    private final Set<Integer> stages = ConcurrentHashMap.newKeySet();
    private final AtomicInteger done = new AtomicInteger();
    private final CountDownLatch allDone;

    PartProgress(String group, int partitions, long rows, Consumer<String> progress) {
      this.group = group;
      this.partitions = partitions;
      this.rows = rows;
      this.progress = progress;
      this.allDone = new CountDownLatch(partitions);
    }

    /** Listener events arrive asynchronously; without waiting, the last parts' reports could be lost. */
    void awaitAllParts() {
      try {
        allDone.await(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void onJobStart(SparkListenerJobStart job) {
      if (job.properties() != null && group.equals(job.properties().getProperty(JOB_GROUP_PROPERTY))) {
        scala.jdk.javaapi.CollectionConverters.asJava(job.stageIds())
            .forEach(id -> stages.add((Integer) id));
      }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd task) {
      if (stages.contains(task.stageId()) && task.taskInfo().successful()) {
        int n = done.incrementAndGet();
        progress.accept(String.format("part %d/%d written (~%d of %d rows)",
            n, partitions, Math.min(rows, Math.round((double) rows * n / partitions)), rows));
        allDone.countDown();
      }
    }
  }
}

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
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.healthpredict.core.data.CsvLine;
import org.healthpredict.core.data.RawSchema;
import org.healthpredict.core.storage.AtomicOutput;
import org.healthpredict.core.storage.HadoopFiles;
import scala.Tuple3;

/**
 * Generates synthetic raw encounters on Spark and writes them as raw CSV: a directory of part files,
 * each starting with the 50-column header, readable by {@code RawReader} like the real data. Beside
 * them, in names every reader skips: {@code _manifest.json} (what was generated and how), and for
 * the fitted generator {@code _generator.json} (the fitted model) and {@code oracle/} (Parquet: each
 * encounter's teacher probability, and whether it is drifted).
 */
public final class SyntheticEncounters {

  /** Rows per output part file when no partition count is given: about 100 MB of CSV each. */
  static final long ROWS_PER_PARTITION = 500_000;

  private static final String JOB_GROUP_PROPERTY = "spark.jobGroup.id";

  public static final String MANIFEST_FILE = "_manifest.json";
  public static final String GENERATOR_FILE = "_generator.json";
  /** The oracle's directory: Parquet with encounter_id, probability and drifted. */
  public static final String ORACLE = "oracle";
  public static final String ORACLE_PROBABILITY = "probability";
  public static final String ORACLE_DRIFTED = "drifted";

  private final SparkSession spark;
  private final Consumer<String> progress;

  public SyntheticEncounters(SparkSession spark, Consumer<String> progress) {
    this.spark = spark;
    this.progress = progress;
  }

  /** How rows are made. */
  public enum Mode {
    /** From a generator fitted to the source: no real row copied, labels from a known teacher. */
    FITTED,
    /** Real rows copied with jittered counts: memorisable, for throughput figures only. */
    RESAMPLE
  }

  /**
   * What to generate; {@code partitions} 0 means one per {@link #ROWS_PER_PARTITION} rows, at least
   * one per core. For the fitted mode, {@code drift} (may be null) and {@code generatorUri} (a saved
   * {@code _generator.json} to use instead of fitting one; may be null).
   */
  public record Options(Mode mode, long rows, long seed, int partitions, DriftSpec drift, String generatorUri) {
    public Options {
      if (rows < 1 || rows > SyntheticRows.MAX_ROWS) {
        throw new IllegalArgumentException("rows: expected 1.." + SyntheticRows.MAX_ROWS + ", found " + rows);
      }
      if (partitions < 0) {
        throw new IllegalArgumentException("partitions: expected a positive number, found " + partitions);
      }
      if (mode == Mode.RESAMPLE && (drift != null || generatorUri != null)) {
        throw new IllegalArgumentException("a drift or a saved generator needs the fitted mode, not resample");
      }
    }

    public static Options resample(long rows, long seed, int partitions) {
      return new Options(Mode.RESAMPLE, rows, seed, partitions, null, null);
    }

    public static Options fitted(long rows, long seed, int partitions) {
      return new Options(Mode.FITTED, rows, seed, partitions, null, null);
    }

    public Options withDrift(DriftSpec spec) {
      return new Options(mode, rows, seed, partitions, spec, generatorUri);
    }

    public Options withGenerator(String uri) {
      return new Options(mode, rows, seed, partitions, drift, uri);
    }
  }

  /**
   * What was written: {@code source} is null when a saved generator was used, {@code generator} null
   * in the resample mode.
   */
  public record Result(long rows, int partitions, String output, SyntheticSource source, GeneratorModel generator,
      double seconds) {}

  /**
   * Generates, and replaces {@code outputUri} atomically with the new part files, manifest and (fitted
   * mode) generator and oracle. {@code sourceUri} is the real data to fit or resample; unused when a
   * saved generator is given.
   */
  public Result generate(String sourceUri, String outputUri, Options options) {
    long start = System.nanoTime();
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    GeneratorModel generator = null;
    SyntheticSource source = null;
    if (options.mode() == Mode.FITTED && options.generatorUri() != null) {
      generator = GeneratorModel.fromJson(HadoopFiles.readString(hadoop, options.generatorUri()), options.generatorUri());
      progress.accept("generator " + options.generatorUri() + " (fitted on " + generator.source() + ", sha256 "
          + generator.sha256().substring(0, 12) + ")");
    } else {
      source = SyntheticSource.load(spark, sourceUri);
      progress.accept(String.format("source %s: %d rows, %d patients (%.3f encounters per patient)%s",
          sourceUri, source.size(), source.patients(), source.encountersPerPatient(),
          source.rejectedLines() > 0 ? ", " + source.rejectedLines() + " invalid line(s) skipped" : ""));
      if (options.mode() == Mode.FITTED) {
        generator = GeneratorFit.fit(source.uri(), source.rows(), progress);
      }
    }
    FittedRows fitted = generator == null ? null : new FittedRows(generator, options.drift(), options.seed(), options.rows());
    EncounterRows rows = fitted != null ? fitted : new SyntheticRows(source, options.seed(), options.rows());
    int partitions = partitions(options);
    AtomicOutput output = AtomicOutput.begin(hadoop, outputUri);
    progress.accept("writing " + options.rows() + " " + options.mode().name().toLowerCase(Locale.ROOT) + " rows in "
        + partitions + " part file(s) to " + output.targetUri());
    try {
      write(rows, partitions, output.stagingUri());
      if (fitted != null) {
        oracle(fitted, partitions).write().parquet(output.stagingChild(ORACLE));
        HadoopFiles.writeString(hadoop, output.stagingChild(GENERATOR_FILE), fitted.model().toJson());
      }
      HadoopFiles.writeString(hadoop, output.stagingChild(MANIFEST_FILE),
          GenerationManifest.json(options, partitions, fitted));
      output.commit();
    } finally {
      output.abort();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    return new Result(options.rows(), partitions, output.targetUri(), source, generator, seconds);
  }

  /** Each fitted encounter's teacher probability and drift flag, keyed by encounter_id. */
  public Dataset<Row> oracle(FittedRows rows, int partitions) {
    Broadcast<FittedRows> shared = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(rows);
    return spark.range(0, rows.rows(), 1, partitions).map(
        (MapFunction<Long, Tuple3<Long, Double, Boolean>>) i -> {
          FittedRows.Encounter e = shared.value().encounter(i);
          return new Tuple3<>(SyntheticRows.ENCOUNTER_ID_BASE + i, e.probability(), e.drifted());
        }, Encoders.tuple(Encoders.LONG(), Encoders.DOUBLE(), Encoders.BOOLEAN()))
        .toDF(RawSchema.ENCOUNTER_ID, ORACLE_PROBABILITY, ORACLE_DRIFTED);
  }

  /** The synthetic rows as raw CSV lines, one header line leading each partition. */
  public Dataset<String> lines(EncounterRows rows, int partitions) {
    Broadcast<EncounterRows> shared = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(rows);
    String header = CsvLine.join(RawSchema.columns());
    return spark.range(0, rows.rows(), 1, partitions).mapPartitions(
        (MapPartitionsFunction<Long, String>) ids -> withHeader(header, shared.value(), ids),
        Encoders.STRING());
  }

  private void write(EncounterRows rows, int partitions, String stagingUri) {
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

  private static Iterator<String> withHeader(String header, EncounterRows rows, Iterator<Long> ids) {
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

package org.healthpredict.core.split;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;
import org.healthpredict.core.data.RawReader;
import org.healthpredict.core.data.RawSchema;
import org.healthpredict.core.data.synthetic.GenerationManifest;
import org.healthpredict.core.storage.AtomicOutput;
import org.healthpredict.core.storage.CommitMarker;
import org.healthpredict.core.storage.HadoopFiles;

/**
 * The split job's work: read and validate raw encounters, label each with its part, and write the
 * parts as Parquet, the rejected lines as JSON and a manifest, all committed at once.
 *
 * <p>Output layout under the output URI: {@code initial/train}, {@code initial/validation},
 * {@code initial/test}, {@code future}, {@code excluded} (Parquet), {@code rejected} (JSON lines:
 * source_file, line, rejection_reason) and {@code manifest.json}.
 *
 * <p>Splitting is idempotent: when the output already holds a split of the same input (the same
 * files with the same SHA-256), with the same options and schema version, it is left as it is, so a
 * retried task neither rewrites the parts under a reader nor changes the manifest. The output is
 * committed whole, so a manifest there means every part is there.
 */
public final class SplitRunner {

  /** Where each part goes, relative to the output URI. */
  public static final Map<String, String> PART_PATHS = partPaths();

  private static final int REJECTION_SAMPLES = 10;
  /** The one (empty) file of a rejected output with nothing in it. */
  static final String EMPTY_REJECTED_PART = "part-00000.json";

  private final SparkSession spark;
  private final Consumer<String> progress;

  public SplitRunner(SparkSession spark, Consumer<String> progress) {
    this.spark = spark;
    this.progress = progress;
  }

  private static Map<String, String> partPaths() {
    Map<String, String> paths = new LinkedHashMap<>();
    paths.put(PatientAssignment.TRAIN, "initial/train");
    paths.put(PatientAssignment.VALIDATION, "initial/validation");
    paths.put(PatientAssignment.TEST, "initial/test");
    paths.put(EncounterSplitter.FUTURE, "future");
    paths.put(EncounterSplitter.EXCLUDED, "excluded");
    return paths;
  }

  /** What a split produced; {@code again} when the output already held it and was left untouched. */
  public record Split(SplitManifest manifest, boolean again) {}

  public SplitManifest run(String inputUri, String outputUri, SplitOptions options) {
    return split(inputUri, outputUri, options).manifest();
  }

  public Split split(String inputUri, String outputUri, SplitOptions options) {
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    // A directory of part files (e.g. from `generate`) whose commit on S3 was interrupted is refused.
    CommitMarker.requireComplete(hadoop, inputUri, "the input");
    RawReader.RawInput input = RawReader.read(spark, inputUri);
    progress.accept("reading " + input.files().size() + " file(s) from " + inputUri);
    String checksum = HadoopFiles.sha256(hadoop, input.files());
    Optional<SplitManifest> done = existing(hadoop, outputUri, inputUri, input.files(), checksum, options);
    if (done.isPresent()) {
      progress.accept(outputUri + " already holds this split of the same input (sha256 " + checksum.substring(0, 16)
          + "…, made " + done.get().createdAt() + "); left as it is");
      return new Split(done.get(), true);
    }
    return new Split(write(hadoop, input, inputUri, outputUri, options, checksum), false);
  }

  /** The manifest at the output if it records a split of exactly this input, options and schema. */
  private static Optional<SplitManifest> existing(Configuration hadoop, String outputUri, String inputUri,
      List<String> files, String checksum, SplitOptions options) {
    String manifestUri = outputUri.replaceAll("/+$", "") + "/" + SplitManifest.FILE_NAME;
    if (!HadoopFiles.exists(hadoop, manifestUri)) {
      return Optional.empty();
    }
    SplitManifest m;
    try {
      m = SplitManifest.fromJson(HadoopFiles.readString(hadoop, manifestUri));
    } catch (IllegalArgumentException e) {
      return Optional.empty();  // not ours or unreadable: split again, replacing it
    }
    boolean same = m.schemaVersion() == RawSchema.VERSION && m.input() != null && inputUri.equals(m.input().uri())
        && files.equals(m.input().files()) && checksum.equals(m.input().sha256()) && options.equals(m.options());
    return same ? Optional.of(m) : Optional.empty();
  }

  private SplitManifest write(Configuration hadoop, RawReader.RawInput input, String inputUri, String outputUri,
      SplitOptions options, String checksum) {

    // Parsed once, reused by the counting, cut-off and writing passes.
    Dataset<Row> parsed = input.parsed().persist(StorageLevel.MEMORY_AND_DISK());
    RawReader.RawInput cached = new RawReader.RawInput(parsed, input.header(), input.files());
    AtomicOutput output = AtomicOutput.begin(hadoop, outputUri, "the split of " + inputUri);
    try {
      // One pass (which also fills the cache) counts both what the cut-off needs and the rejected
      // lines: a Spark job costs tens to hundreds of ms to plan and schedule however small its input.
      Column accepted = RawReader.isAccepted();
      Row tally = parsed.agg(
          count(when(accepted.and(functions.not(EncounterSplitter.terminal())), 1)),
          count(when(functions.not(accepted), 1))).first();
      long rejectedCount = tally.getLong(1);
      EncounterSplitter.Labelled labelled = new EncounterSplitter(options).label(cached.accepted(), tally.getLong(0));
      progress.accept("validated rows; " + labelled.modellingRows() + " rows for modelling, first "
          + labelled.initialRows() + " are initial data (encounter_id <= " + labelled.initialCutoffId() + ")");

      String partsUri = output.stagingChild("parts-by-name");
      labelled.rows()
          .sortWithinPartitions(col(EncounterSplitter.PART), col(RawSchema.ENCOUNTER_ID))
          .write().mode(SaveMode.ErrorIfExists).partitionBy(EncounterSplitter.PART).parquet(partsUri);
      progress.accept("wrote the parts");
      Map<String, SplitManifest.Part> parts = placeParts(output, partsUri);

      List<String> samples = writeRejected(hadoop, cached.rejected(), rejectedCount, output.stagingChild("rejected"));

      SplitManifest.Input described = new SplitManifest.Input(inputUri, new ArrayList<>(input.files()), checksum,
          GenerationManifest.readBeside(hadoop, inputUri));
      SplitManifest manifest = manifest(described, options, labelled, parts, rejectedCount, samples);
      HadoopFiles.writeString(hadoop, output.stagingChild(SplitManifest.FILE_NAME), manifest.toJson());
      output.commit();
      return manifest;
    } catch (Exception e) { // Spark's Scala code throws checked exceptions (SparkException) undeclared
      throw output.failed(e);
    } finally {
      parsed.unpersist();
    }
  }

  /**
   * Writes the rejected lines as JSON and returns a few of them for the manifest. With none (clean
   * data, the usual case) it writes what Spark's write of no rows leaves, an empty part file and the
   * success marker, without a Spark job (whose planning costs the same at any size) that would find
   * nothing to write.
   */
  private static List<String> writeRejected(Configuration hadoop, Dataset<Row> rejected, long count, String uri) {
    if (count == 0) {
      HadoopFiles.writeString(hadoop, uri + "/" + EMPTY_REJECTED_PART, "");
      HadoopFiles.writeString(hadoop, uri + "/_SUCCESS", "");
      return List.of();
    }
    rejected.write().mode(SaveMode.ErrorIfExists).json(uri);
    return rejected.limit(REJECTION_SAMPLES).collectAsList()
        .stream().map(r -> r.getString(2) + " [" + r.getString(0) + "]").toList();
  }

  /** Moves part=X directories to their final names and counts what each holds. */
  private Map<String, SplitManifest.Part> placeParts(AtomicOutput output, String partsUri) {
    Map<String, Row> stats = new HashMap<>();
    // Only the columns counted, named: inferring the schema would cost a Spark job of its own.
    String counted = RawSchema.PATIENT_NBR + " LONG, " + RawSchema.TARGET + " INT, " + EncounterSplitter.PART + " STRING";
    for (Row r : spark.read().schema(counted).parquet(partsUri)
        .groupBy(EncounterSplitter.PART)
        .agg(count("*"), countDistinct(RawSchema.PATIENT_NBR), sum(RawSchema.TARGET))
        .collectAsList()) {
      stats.put(r.getString(0), r);
    }
    FileSystem fs = output.fileSystem();
    Map<String, SplitManifest.Part> parts = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, String> e : PART_PATHS.entrySet()) {
        Path target = new Path(output.stagingChild(e.getValue()));
        fs.mkdirs(target.getParent());
        Path written = new Path(partsUri, EncounterSplitter.PART + "=" + e.getKey());
        if (fs.exists(written)) {
          if (!fs.rename(written, target)) {
            throw new IOException("rename " + written + " -> " + target + " failed");
          }
        } else {
          // An empty part is still written, with the schema, so readers need no special case.
          spark.createDataFrame(List.of(), RawSchema.typedSchema()).write().parquet(target.toString());
        }
        Row s = stats.get(e.getKey());
        long rows = s == null ? 0 : s.getLong(1);
        long patients = s == null ? 0 : s.getLong(2);
        long positives = s == null || s.isNullAt(3) ? 0 : s.getLong(3);
        parts.put(e.getKey(), new SplitManifest.Part(e.getValue(), rows, patients, positives,
            rows == 0 ? 0.0 : (double) positives / rows));
      }
      fs.delete(new Path(partsUri), true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot place the split parts under " + output.stagingUri(), e);
    }
    return parts;
  }

  private static SplitManifest manifest(SplitManifest.Input input, SplitOptions options,
      EncounterSplitter.Labelled labelled, Map<String, SplitManifest.Part> parts, long rejected, List<String> samples) {
    long excluded = parts.get(EncounterSplitter.EXCLUDED).rows();
    long future = parts.get(EncounterSplitter.FUTURE).rows();
    long initial = parts.get(PatientAssignment.TRAIN).rows() + parts.get(PatientAssignment.VALIDATION).rows()
        + parts.get(PatientAssignment.TEST).rows();
    long accepted = excluded + future + initial;
    SplitManifest.Counts counts = new SplitManifest.Counts(accepted + rejected, accepted, rejected,
        excluded, labelled.modellingRows(), initial, future);
    return new SplitManifest(RawSchema.VERSION, Instant.now().toString(),
        input, options,
        labelled.initialCutoffId(), counts, parts, samples);
  }
}

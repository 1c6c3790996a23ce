package org.healthpredict.jobs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.healthpredict.core.data.MissingColumnsException;
import org.healthpredict.core.data.synthetic.DriftSpec;
import org.healthpredict.core.data.synthetic.SyntheticEncounters;
import org.healthpredict.core.data.synthetic.SyntheticRows;
import org.healthpredict.core.spark.SparkSessions;
import org.healthpredict.core.storage.HadoopFiles;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `generate`: synthetic raw encounters at any size, with a known best-possible score and optional drift. */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    description = {
        "Writes synthetic encounters in the raw 50-column CSV format.",
        "",
        "--mode fitted (default): fits a generator to the real --source (each column drawn given its "
            + "parents in a Chow-Liu tree; no real row is copied) and labels every encounter from a known "
            + "teacher probability p(x). p is written beside the data in oracle/ (Parquet, by encounter_id), "
            + "so a benchmark can compute the best score any model can reach on its test rows. The fitted "
            + "generator is saved as _generator.json; --generator reuses one. --drift FILE schedules a "
            + "covariate or concept drift (see conf/drift/).",
        "--mode resample: copies real rows, labels included, with jittered counts. A model can memorise "
            + "them: use it for throughput figures only.",
        "",
        "Output: a directory of part files, each with the header, '?' for missing values, new increasing "
            + "encounter_ids and patient_nbrs repeating as often as in the source; _manifest.json says what "
            + "was made (drift onset included). The same --seed gives the same rows for any --partitions. "
            + "The output directory is replaced atomically."
    })
final class GenerateCommand implements Callable<Integer> {

  /** The bundled real sample, relative to the working directory (the project root). */
  static final String BUNDLED_SAMPLE = "data/sample/diabetic_data_sample.csv";

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--rows", required = true, paramLabel = "N", description = "Encounters to generate (1 to 1e9).")
  long rows;

  @Option(names = "--seed", defaultValue = "42", paramLabel = "S", description = "Random seed (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--out", required = true, paramLabel = "URI",
      description = "Output directory, any Hadoop URI (file://, s3a://); replaced if it exists.")
  String out;

  @Option(names = "--source", paramLabel = "URI",
      description = "Real raw CSV to resample (file, directory or glob; any Hadoop URI). Default: "
          + BUNDLED_SAMPLE + " under the working directory.")
  String source;

  @Option(names = "--partitions", defaultValue = "0", paramLabel = "P",
      description = "Output part files (default: one per 500,000 rows, at least one per core).")
  int partitions;

  @Option(names = "--mode", defaultValue = "fitted", paramLabel = "MODE",
      description = "fitted (default) or resample (memorisable; throughput figures only).")
  String mode;

  @Option(names = "--drift", paramLabel = "FILE",
      description = "YAML drift schedule (fitted mode), e.g. conf/drift/age-shift.yaml; any Hadoop URI.")
  String drift;

  @Option(names = "--generator", paramLabel = "URI",
      description = "A saved _generator.json to use instead of fitting one on --source (fitted mode).")
  String generator;

  @Override
  public Integer call() {
    if (rows < 1 || rows > SyntheticRows.MAX_ROWS) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--rows: expected 1.." + SyntheticRows.MAX_ROWS + ", found " + rows);
    }
    if (partitions < 0) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--partitions: expected a positive number, found " + partitions);
    }
    SyntheticEncounters.Mode chosen = OptionChoice.parse("--mode", mode, SyntheticEncounters.Mode.class);
    if (chosen == SyntheticEncounters.Mode.RESAMPLE && (drift != null || generator != null)) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--drift and --generator need --mode fitted; resample copies real rows as they are");
    }
    String sourceUri = source != null ? source : generator != null ? null : bundledSample();
    SparkSession spark = SparkSessions.getOrCreate("health-predict generate");
    SyntheticEncounters.Options options = chosen == SyntheticEncounters.Mode.FITTED
        ? SyntheticEncounters.Options.fitted(rows, seed, partitions)
        : SyntheticEncounters.Options.resample(rows, seed, partitions);
    SyntheticEncounters.Result r;
    try {
      if (drift != null) {
        options = options.withDrift(DriftSpec.parse(HadoopFiles.readString(spark.sparkContext().hadoopConfiguration(),
            uri(drift)), drift));
      }
      if (generator != null) {
        options = options.withGenerator(uri(generator));
      }
      r = new SyntheticEncounters(spark, line -> System.out.println("generate: " + line))
          .generate(sourceUri, out, options);
    } catch (MissingColumnsException e) {
      throw new InvalidInputException(e.getMessage(), e);
    }
    System.out.printf(Locale.ROOT, "generate: OK mode=%s rows=%d partitions=%d seed=%d output=%s seconds=%.1f%s%n",
        chosen.name().toLowerCase(Locale.ROOT), r.rows(), r.partitions(), seed, r.output(), r.seconds(),
        r.generator() == null ? "" : " generator_sha256=" + r.generator().sha256().substring(0, 12));
    return HealthPredictCli.EXIT_OK;
  }

  /** A plain path is taken relative to the working directory. */
  private static String uri(String location) {
    return location.contains("://") ? location : Path.of(location).toAbsolutePath().toUri().toString();
  }

  private static String bundledSample() {
    Path sample = Path.of(BUNDLED_SAMPLE).toAbsolutePath();
    if (!Files.isRegularFile(sample)) {
      throw new InvalidInputException("no --source given and the bundled sample " + sample
          + " does not exist; run from the project root or pass --source URI");
    }
    return sample.toUri().toString();
  }
}

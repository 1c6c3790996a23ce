package org.healthpredict.jobs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.healthpredict.core.data.MissingColumnsException;
import org.healthpredict.core.data.synthetic.SyntheticEncounters;
import org.healthpredict.core.data.synthetic.SyntheticRows;
import org.healthpredict.core.spark.SparkSessions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `generate`: synthetic raw encounters resampled from real ones, for load tests and demos at any size. */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    description = {
        "Writes synthetic encounters in the raw 50-column CSV format, resampled from real rows.",
        "",
        "Output: a directory of part files, each with the header, '?' for missing values. Each row "
            + "copies a real row's categories with a new increasing encounter_id, a patient_nbr drawn so "
            + "encounters per patient match the source, and counts jittered within the source's ranges. "
            + "The same --seed gives the same rows for any --partitions. The output directory is "
            + "replaced atomically."
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
    String sourceUri = source != null ? source : bundledSample();
    SparkSession spark = SparkSessions.getOrCreate("health-predict generate");
    SyntheticEncounters.Result r;
    try {
      r = new SyntheticEncounters(spark, line -> System.out.println("generate: " + line))
          .generate(sourceUri, out, new SyntheticEncounters.Options(rows, seed, partitions));
    } catch (MissingColumnsException e) {
      throw new InvalidInputException(e.getMessage(), e);
    }
    System.out.printf(Locale.ROOT, "generate: OK rows=%d partitions=%d seed=%d output=%s seconds=%.1f%n",
        r.rows(), r.partitions(), seed, r.output(), r.seconds());
    return HealthPredictCli.EXIT_OK;
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

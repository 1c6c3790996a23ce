package org.healthpredict.jobs;

import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.healthpredict.core.data.MissingColumnsException;
import org.healthpredict.core.spark.SparkSessions;
import org.healthpredict.core.split.SplitManifest;
import org.healthpredict.core.split.SplitOptions;
import org.healthpredict.core.split.SplitRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `split`: raw CSV to validated Parquet parts (initial train/validation/test by patient, future). */
@Command(
    name = "split",
    mixinStandardHelpOptions = true,
    description = {
        "Validates raw encounters and splits them into initial (train/validation/test) and future data.",
        "",
        "Every line is checked against the 50-column schema. The oldest encounters (by encounter_id, "
            + "see --initial-fraction) form the initial data, split by patient into train / validation / "
            + "test; the rest is future data for drift simulation. Encounters ending in death or hospice "
            + "are excluded; malformed lines go to 'rejected' with their reason.",
        "",
        "Output under --output: initial/{train,validation,test}, future, excluded (Parquet), "
            + "rejected (JSON lines), manifest.json. An output that already holds a split of the same input "
            + "(same files and SHA-256) with the same options is left as it is (again=true), so a retried "
            + "task changes nothing."
    })
final class SplitCommand implements Callable<Integer> {

  @Option(names = "--input", required = true, paramLabel = "URI",
      description = "Raw CSV: a file, a directory of part files or a glob; any Hadoop URI (file://, s3a://).")
  String input;

  @Option(names = "--output", required = true, paramLabel = "URI",
      description = "Output directory; replaced atomically if it holds anything but this very split.")
  String output;

  @Option(names = "--initial-fraction", defaultValue = "0.2", paramLabel = "F",
      description = "Share of modelling rows, oldest first, that form the initial data (default ${DEFAULT-VALUE}).")
  double initialFraction;

  @Option(names = "--train", defaultValue = "0.7", paramLabel = "F",
      description = "Share of initial patients in train (default ${DEFAULT-VALUE}).")
  double train;

  @Option(names = "--validation", defaultValue = "0.15", paramLabel = "F",
      description = "Share of initial patients in validation (default ${DEFAULT-VALUE}); the rest is test.")
  double validation;

  @Option(names = "--seed", defaultValue = "42", description = "Seed of the patient assignment (default ${DEFAULT-VALUE}).")
  long seed;

  @Override
  public Integer call() {
    SplitOptions options = new SplitOptions(initialFraction, train, validation, seed);
    SparkSession spark = SparkSessions.getOrCreate("health-predict split");
    SplitRunner.Split split;
    try {
      split = new SplitRunner(spark, line -> System.out.println("split: " + line)).split(input, output, options);
    } catch (MissingColumnsException e) {
      throw new InvalidInputException(e.getMessage(), e);
    }
    SplitManifest m = split.manifest();
    var c = m.counts();
    m.parts().forEach((name, p) -> System.out.printf("split: %-10s %8d rows %7d patients  positive rate %.3f  -> %s%n",
        name, p.rows(), p.patients(), p.positiveRate(), p.path()));
    if (c.rejected() > 0) {
      System.out.println("split: rejected " + c.rejected() + " line(s), e.g.:");
      m.rejectionSamples().forEach(s -> System.out.println("split:   " + s));
    }
    System.out.printf("split: OK read=%d accepted=%d rejected=%d excluded=%d initial=%d future=%d again=%s output=%s%n",
        c.linesRead(), c.accepted(), c.rejected(), c.excludedTerminal(), c.initial(), c.future(), split.again(), output);
    return HealthPredictCli.EXIT_OK;
  }
}

package org.healthpredict.jobs;

import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.healthpredict.core.data.download.DownloadException;
import org.healthpredict.core.data.download.UciDownloader;
import org.healthpredict.core.spark.SparkSessions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `download`: fetches and verifies the full UCI data set and unpacks it to a Hadoop URI. */
@Command(
    name = "download",
    mixinStandardHelpOptions = true,
    description = {
        "Fetches the full UCI 'Diabetes 130-US Hospitals' data set, verifies it and unpacks it.",
        "",
        "Verifies the zip (optional --sha256, every entry's CRC, the 50 raw columns) and writes "
            + "diabetic_data.csv and IDS_mapping.csv into --out, replacing it atomically. Prints the "
            + "zip's sha256 and the row count. Exit code 1 if the address cannot be reached, 3 if the "
            + "fetched file is wrong (checksum, corrupt zip, missing entry, bad header)."
    })
final class DownloadCommand implements Callable<Integer> {

  private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--out", required = true, paramLabel = "URI",
      description = "Output directory, any Hadoop URI (file://, s3a://); replaced if it exists.")
  String out;

  @Option(names = "--url", defaultValue = UciDownloader.DEFAULT_URL, paramLabel = "URL",
      description = "Where to fetch the zip: http(s), or file:// (any Hadoop URI) for a zip already downloaded."
          + " Default: ${DEFAULT-VALUE}")
  String url;

  @Option(names = "--sha256", paramLabel = "HEX", description = "Expected sha256 of the zip; refused if it differs.")
  String sha256;

  @Override
  public Integer call() {
    if (sha256 != null && !SHA256.matcher(sha256).matches()) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--sha256: expected 64 hex digits, found '" + sha256 + "'");
    }
    UciDownloader.Result r;
    try {
      r = new UciDownloader(SparkSessions.hadoopConfiguration(), line -> System.out.println("download: " + line))
          .download(url, out, sha256);
    } catch (DownloadException e) {
      if (e.isInvalidData()) {
        throw new InvalidInputException(e.getMessage(), e);
      }
      // Unreachable is the machine's situation, not a bug: one clear line, no stack trace.
      spec.commandLine().getErr().println("download: failed: " + e.getMessage());
      return HealthPredictCli.EXIT_FAILED;
    }
    System.out.printf(Locale.ROOT, "download: OK sha256=%s rows=%d data=%s%s seconds=%.1f%n",
        r.sha256(), r.rows(), r.dataUri(), r.mappingUri() != null ? " mapping=" + r.mappingUri() : "",
        r.seconds());
    return HealthPredictCli.EXIT_OK;
  }
}

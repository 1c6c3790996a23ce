package org.healthpredict.jobs;

import java.time.Duration;
import org.apache.spark.sql.SparkSession;
import org.healthpredict.core.tracking.RetryPolicy;
import org.healthpredict.core.tracking.Tracking;
import picocli.CommandLine.Option;

/** The MLflow tracking server options every command that talks to MLflow shares. */
final class TrackingOptions {

  @Option(names = "--tracking-uri", paramLabel = "URI",
      description = "MLflow tracking server (default: $MLFLOW_TRACKING_URI, else " + Tracking.DEFAULT_TRACKING_URI + ").")
  String trackingUri;

  @Option(names = "--tracking-retry", paramLabel = "DURATION",
      description = "How long an unreachable MLflow server (or its 429/5xx answers) is waited for, retrying with "
          + "backoff, before the job stops, e.g. 90s, 10m, 0 (default: $" + RetryPolicy.BUDGET_ENV
          + " seconds, else 5m).")
  String trackingRetry;

  String uri() {
    return trackingUri != null ? trackingUri : Tracking.defaultTrackingUri();
  }

  RetryPolicy retry() {
    if (trackingRetry == null) {
      return RetryPolicy.fromEnvironment(System.getenv());
    }
    Duration budget = DurationOption.parse("--tracking-retry", trackingRetry);
    return RetryPolicy.riding(budget);
  }

  /** A connection for commands that write no artifacts of their own. */
  Tracking connect() {
    return Tracking.connect(uri(), retry());
  }

  /** A connection that writes direct-write artifact roots (s3a:, file:) with the session's Hadoop settings. */
  Tracking connect(SparkSession spark) {
    return Tracking.connect(uri(), retry(), spark.sparkContext().hadoopConfiguration());
  }
}

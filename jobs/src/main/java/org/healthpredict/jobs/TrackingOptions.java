package org.healthpredict.jobs;

import org.healthpredict.core.tracking.Tracking;
import picocli.CommandLine.Option;

/** The MLflow tracking server option every command that talks to MLflow shares. */
final class TrackingOptions {

  @Option(names = "--tracking-uri", paramLabel = "URI",
      description = "MLflow tracking server (default: $MLFLOW_TRACKING_URI, else " + Tracking.DEFAULT_TRACKING_URI + ").")
  String trackingUri;

  String uri() {
    return trackingUri != null ? trackingUri : Tracking.defaultTrackingUri();
  }
}

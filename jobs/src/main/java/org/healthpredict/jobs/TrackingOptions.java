package org.healthpredict.jobs;

import org.healthpredict.core.tracking.Tracking;
import picocli.CommandLine.Option;

/** The MLflow options every registry command shares. */
final class TrackingOptions {

  @Option(names = "--tracking-uri", paramLabel = "URI",
      description = "MLflow tracking server (default: $MLFLOW_TRACKING_URI, else " + Tracking.DEFAULT_TRACKING_URI + ").")
  String trackingUri;

  @Option(names = "--actor", paramLabel = "NAME",
      description = "Who takes the decision, for the audit log (default: the user name).")
  String actor = System.getProperty("user.name", "unknown");

  String uri() {
    return trackingUri != null ? trackingUri : Tracking.defaultTrackingUri();
  }
}

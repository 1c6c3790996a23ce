package org.healthpredict.core.tracking;

import org.mlflow.api.proto.Service;

/** An MLflow experiment, in which runs are started; get one with {@link Tracking#experiment}. */
public final class Experiment {

  private final Tracking tracking;
  private final String id;
  private final String name;
  private final String artifactLocation;

  Experiment(Tracking tracking, String id, String name, String artifactLocation) {
    this.tracking = tracking;
    this.id = id;
    this.name = name;
    this.artifactLocation = artifactLocation;
  }

  public String id() {
    return id;
  }

  public String name() {
    return name;
  }

  /** Where runs of this experiment keep artifacts, e.g. {@code mlflow-artifacts:/1}. */
  public String artifactLocation() {
    return artifactLocation;
  }

  /** Starts a top-level run; end it with {@link TrackedRun#finish()} (see {@link TrackedRun}). */
  public TrackedRun startRun(String runName) {
    return start(runName, null);
  }

  /**
   * Starts a run nested under another run of this experiment (MLflow shows it below the parent),
   * e.g. one trial of a sweep.
   */
  public TrackedRun startChildRun(String runName, String parentRunId) {
    if (parentRunId == null || parentRunId.isBlank()) {
      throw new IllegalArgumentException("a child run needs its parent's run id");
    }
    return start(runName, parentRunId);
  }

  private TrackedRun start(String runName, String parentRunId) {
    if (runName == null || runName.isBlank()) {
      throw new IllegalArgumentException("a run needs a name");
    }
    Service.CreateRun.Builder request = Service.CreateRun.newBuilder()
        .setExperimentId(id)
        .setRunName(runName)
        .setStartTime(System.currentTimeMillis())
        .setUserId(System.getProperty("user.name", ""));
    if (parentRunId != null) {
      request.addTags(Service.RunTag.newBuilder()
          .setKey(TrackedRun.PARENT_RUN_ID_TAG).setValue(parentRunId));
    }
    Service.RunInfo info = tracking.call("start run '" + runName + "' in experiment '" + name + "'",
        () -> tracking.client().createRun(request.build()));
    return new TrackedRun(tracking, this, info.getRunId(), runName, info.getArtifactUri());
  }

  @Override
  public String toString() {
    return "Experiment[" + name + " (" + id + ")]";
  }
}

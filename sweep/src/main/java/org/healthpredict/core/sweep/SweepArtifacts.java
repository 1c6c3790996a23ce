package org.healthpredict.core.sweep;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.healthpredict.core.tracking.TrackedRun;
import org.healthpredict.core.tuning.AshaConfig;
import org.healthpredict.core.tuning.TrialEvent;
import org.healthpredict.core.tuning.TrialState;
import org.healthpredict.core.tuning.TrialStatus;

/** What a finished sweep leaves on its parent run: trial counts, a CSV of every trial and the rung plot. */
final class SweepArtifacts {

  static final String FOLDER = "sweep";

  private SweepArtifacts() {}

  static void log(TrackedRun parent, List<TrialStatus> trials, List<TrialEvent> events, SweepSettings settings,
      AshaConfig config) {
    for (TrialState state : List.of(TrialState.COMPLETED, TrialState.STOPPED, TrialState.FAILED)) {
      parent.logMetric("trials_" + state.name().toLowerCase(), trials.stream().filter(t -> t.state() == state).count());
    }
    parent.logMetric("trials_total", trials.size());
    try {
      Path dir = Files.createTempDirectory("health-predict-sweep-");
      Path csv = dir.resolve("trials.csv");
      Path png = dir.resolve("rung_plot.png");
      TrialsTable.write(trials, events, config.mode(), csv);
      RungPlot.write(trials, events, settings.metric().metricName(), config, png);
      parent.logArtifact(csv, FOLDER);
      parent.logArtifact(png, FOLDER);
      Files.delete(csv);
      Files.delete(png);
      Files.delete(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the sweep's trial table and rung plot", e);
    }
  }
}
